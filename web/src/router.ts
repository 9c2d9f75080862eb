// Hash routes: "#/alerts?rule=R001". The server only serves "/" and "/assets/*".

export interface Route {
  path: string;
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const raw = location.hash.replace(/^#\/?/, "");
  const q = raw.indexOf("?");
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, "");
  return { path, params: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)) };
}

export function href(path: string, params?: Record<string, string | number | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== null && v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return `#/${path}${s ? `?${s}` : ""}`;
}

export function navigate(path: string, params?: Record<string, string | number | null | undefined>): void {
  const target = href(path, params);
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = target;
}

/** Records the page's state (filters) in the URL without re-rendering the page. */
export function replaceParams(params: Record<string, string | number | null | undefined>): void {
  const { path } = currentRoute();
  history.replaceState(history.state, "", href(path, params));
}

let returnTo = "";

/** The page to come back to after logging in (one a 401 interrupted). */
export function rememberReturn(hash: string): void {
  if (!hash.startsWith("#/login")) returnTo = hash;
}

export function afterLogin(): void {
  const target = returnTo && returnTo !== "#/" ? returnTo : "#/overview";
  returnTo = "";
  location.hash = target;
}
