import type { Route } from "./router";

/** A mounted page: it renders into `root` and returns its cleanup (timers, charts, fetches). */
export type Page = (root: HTMLElement, route: Route) => (() => void) | void;

/** Collects a page's cleanups; `signal` aborts its pending fetches. */
export class Scope {
  private fns: Array<() => void> = [];
  private ctl = new AbortController();
  get signal(): AbortSignal {
    return this.ctl.signal;
  }
  get alive(): boolean {
    return !this.ctl.signal.aborted;
  }
  add(fn: () => void): void {
    this.fns.push(fn);
  }
  interval(fn: () => void, ms: number): void {
    const id = window.setInterval(fn, ms);
    this.add(() => window.clearInterval(id));
  }
  dispose = (): void => {
    this.ctl.abort();
    for (const fn of this.fns.splice(0).reverse()) {
      try {
        fn();
      } catch (e) {
        console.error(e);
      }
    }
  };
}
