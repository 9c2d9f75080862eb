// fetch with the session's bearer token, JSON bodies and the API's error shape
// {"error":{"code","message"}}. Any 401 ends the session (back to the login page).

import type { LoginAnswer, Me, Role } from "./types";

export interface Session {
  token: string;
  username: string;
  role: Role;
  expires_at: string;
}

const KEY = "walletflow.session";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let current: Session | null = load();
let unauthorized: (() => void) | null = null;

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s.token || (s.expires_at && Date.parse(s.expires_at) <= Date.now())) return null;
    return s;
  } catch {
    return null;
  }
}

export function session(): Session | null {
  return current;
}

export function setSession(s: Session | null): void {
  current = s;
  try {
    if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
    else sessionStorage.removeItem(KEY);
  } catch {
    /* storage disabled: the session lives in memory only */
  }
}

/** Called once on any 401 answer (the app goes back to the login page). */
export function onUnauthorized(fn: () => void): void {
  unauthorized = fn;
}

export function handleUnauthorized(): void {
  setSession(null);
  unauthorized?.();
}

export function canEditAlerts(): boolean {
  return current?.role === "analyst" || current?.role === "admin";
}

export function isAdmin(): boolean {
  return current?.role === "admin";
}

export function authHeaders(): Record<string, string> {
  return current ? { Authorization: `Bearer ${current.token}` } : {};
}

/** "?a=1&b=x" from the non-empty values of `params`. */
export function qs(params: Record<string, string | number | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === "") continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** false: a 401 is an ordinary error (the login form). */
  auth?: boolean;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (opts.auth !== false) Object.assign(headers, authHeaders());
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? "GET", headers, body, signal: opts.signal, cache: "no-store" });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "network", "The server cannot be reached");
  }
  const text = await res.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
    const e = new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? `${res.status} ${res.statusText || "error"}`.trim(),
    );
    if (res.status === 401 && opts.auth !== false) handleUnauthorized();
    throw e;
  }
  return json as T;
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.status ? `${e.message} (${e.code})` : e.message;
  return e instanceof Error ? e.message : String(e);
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === "AbortError";
}

export async function login(username: string, password: string): Promise<Session> {
  const a = await api<LoginAnswer>("/api/v1/auth/login", {
    method: "POST",
    body: { username, password },
    auth: false,
  });
  const s: Session = { token: a.token, username, role: a.role, expires_at: a.expires_at };
  setSession(s);
  try {
    const me = await api<Me>("/api/v1/auth/me");
    s.username = me.username;
    s.role = me.role;
    s.expires_at = me.expires_at;
    setSession(s);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) throw e;
  }
  return s;
}

export async function refreshMe(): Promise<Session | null> {
  if (!current) return null;
  const me = await api<Me>("/api/v1/auth/me");
  setSession({ ...current, username: me.username, role: me.role, expires_at: me.expires_at });
  return current;
}
