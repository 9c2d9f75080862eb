import { api, ApiError, errorText, isAdmin, isAbort } from "../api";
import { dl, field, h, loading, message, replace, table } from "../dom";
import { int, pct } from "../format";
import { Scope, type Page } from "../page";
import type { RuleInfo, Rules } from "../types";
import { forgetRules } from "../widgets";

/** One validation error: "rules:12:5: rule R001: message" -> line 12, column 5. */
export interface RuleProblem {
  line: number | null;
  column: number | null;
  text: string;
}

export function parseProblems(msg: string): RuleProblem[] {
  return msg
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(?:[^:\s]*:)?(\d+):(\d+):\s*(.*)$/.exec(l) ?? /^(?:[^:\s]*:)?(\d+):\s*(.*)$/.exec(l);
      if (!m) {
        const lm = /\bline (\d+)(?:,? col(?:umn)? (\d+))?/i.exec(l);
        return { line: lm ? Number(lm[1]) : null, column: lm?.[2] ? Number(lm[2]) : null, text: l };
      }
      return m.length === 4
        ? { line: Number(m[1]), column: Number(m[2]), text: m[3] }
        : { line: Number(m[1]), column: null, text: m[2] };
    });
}

export const rulesPage: Page = (root) => {
  const scope = new Scope();
  const status = h("div");
  const summary = h("div");
  const tableBox = h("div");
  const textBox = h("div");

  const load = async (): Promise<void> => {
    replace(status, loading("Loading the ruleset"));
    try {
      const r = await api<Rules>("/api/v1/rules", { signal: scope.signal });
      replace(status);
      draw(r);
    } catch (e) {
      if (!isAbort(e)) replace(status, message("error", errorText(e)));
    }
  };

  const draw = (r: Rules): void => {
    replace(
      summary,
      dl([
        ["Version", r.version ? h("code", null, r.version) : "—"],
        ["Source", r.source ?? "—"],
        ["Editable here", r.editable === undefined ? "—" : r.editable ? "yes" : "no (built-in pack)"],
        ["Rules", int(r.rules.length)],
      ]),
      r.problems ? message("error", `The ruleset has problems: ${r.problems}`) : null,
    );
    replace(
      tableBox,
      table<RuleInfo>({
        caption: "Rules with their alerts and live precision (confirmed / (confirmed + dismissed))",
        columns: [
          { label: "Rule", render: (x) => x.id, sortKey: (x) => x.id },
          { label: "Name", render: (x) => x.name, sortKey: (x) => x.name },
          { label: "Score", numeric: true, render: (x) => int(x.score), sortKey: (x) => x.score },
          { label: "Alerts", numeric: true, render: (x) => int(x.alerts), sortKey: (x) => x.alerts },
          { label: "Confirmed", numeric: true, render: (x) => int(x.confirmed), sortKey: (x) => x.confirmed },
          { label: "Dismissed", numeric: true, render: (x) => int(x.dismissed), sortKey: (x) => x.dismissed },
          {
            label: "Precision",
            numeric: true,
            render: (x) =>
              h(
                "span",
                { "data-testid": "rule-precision", title: x.precision === null ? "no verdicts yet" : `${x.confirmed} of ${x.confirmed + x.dismissed}` },
                x.precision === null ? "—" : pct(x.precision, 1),
              ),
            sortKey: (x) => x.precision ?? -1,
          },
        ],
        rows: r.rules,
        rowAttrs: (x) => ({ "data-testid": "rule-row", "data-rule-id": x.id }),
        empty: "The ruleset has no rules.",
      }),
    );
    replace(textBox, isAdmin() ? editor(r) : h("pre", { class: "toml", tabindex: "0", "aria-label": "Ruleset text (TOML)" }, r.toml));
  };

  const editor = (r: Rules): HTMLElement => {
    const area = h("textarea", {
      name: "toml",
      class: "toml-editor",
      rows: 24,
      spellcheck: "false",
      autocapitalize: "off",
      "data-testid": "rules-editor",
      "aria-describedby": "rules-errors",
    });
    area.value = r.toml;
    const errors = h("div", { id: "rules-errors", class: "rules-errors", "data-testid": "rules-errors", role: "alert", hidden: true });
    const save = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "rules-save" }, "Save ruleset");
    const revert = h("button", { type: "button", class: "btn btn-quiet", onclick: () => ((area.value = r.toml), replace(errors), (errors.hidden = true)) }, "Revert");
    const note = h("p", { class: "muted small", role: "status" });
    if (r.editable === false) {
      note.textContent = "The server runs its built-in rule pack: saving is refused until it is started with --rules FILE.";
    }
    const form = h(
      "form",
      { class: "rules-form", "aria-label": "Edit the ruleset" },
      field("Ruleset (TOML)", area, "The whole file is validated by the server; a pack with errors is refused whole."),
      errors,
      h("div", { class: "btn-row" }, save, revert),
      note,
    );
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      save.disabled = true;
      errors.hidden = true;
      replace(errors);
      note.textContent = "Saving…";
      try {
        const res = await api<{ version: string; rules: number }>("/api/v1/rules", { method: "PUT", body: { toml: area.value }, signal: scope.signal });
        forgetRules();
        note.textContent = `Saved: version ${res.version}, ${res.rules} rules. Running processes reload it.`;
        const fresh = await api<Rules>("/api/v1/rules", { signal: scope.signal });
        draw(fresh);
        const n = textBox.querySelector('[role="status"]');
        if (n) n.textContent = `Saved: version ${res.version}, ${res.rules} rules. Running processes reload it.`;
      } catch (e) {
        if (isAbort(e)) return;
        note.textContent = "";
        showErrors(e, errors, area);
      } finally {
        save.disabled = false;
      }
    });
    return form;
  };

  replace(
    root,
    h("h1", null, "Rules"),
    status,
    h("section", { "aria-labelledby": "rules-sum-h", class: "card" }, h("h2", { id: "rules-sum-h" }, "Ruleset"), summary),
    h("section", { "aria-labelledby": "rules-tab-h" }, h("h2", { id: "rules-tab-h" }, "Rules"), tableBox),
    h("section", { "aria-labelledby": "rules-txt-h" }, h("h2", { id: "rules-txt-h" }, "Ruleset text"), textBox),
  );
  void load();
  return scope.dispose;
};

function showErrors(e: unknown, box: HTMLElement, area: HTMLTextAreaElement): void {
  box.hidden = false;
  if (!(e instanceof ApiError) || e.status !== 400) {
    replace(box, message("error", e instanceof ApiError && e.status === 409 ? `Not saved: ${e.message}` : `Not saved: ${errorText(e)}`));
    return;
  }
  const problems = parseProblems(e.message);
  replace(
    box,
    h("p", { class: "msg msg-error" }, `Not saved: ${problems.length} problem${problems.length === 1 ? "" : "s"} in the ruleset.`),
    h(
      "ul",
      { class: "problems" },
      ...problems.map((p) =>
        h(
          "li",
          null,
          p.line !== null
            ? h(
                "button",
                { type: "button", class: "linkish", onclick: () => goToLine(area, p.line!, p.column), title: "Show this line in the editor" },
                `Line ${p.line}${p.column !== null ? `, column ${p.column}` : ""}`,
              )
            : null,
          p.line !== null ? ": " : null,
          p.text,
        ),
      ),
    ),
  );
}

/** Selects line `line` (1-based) of the textarea and scrolls it into view. */
function goToLine(area: HTMLTextAreaElement, line: number, column: number | null): void {
  const lines = area.value.split("\n");
  const idx = Math.max(0, Math.min(lines.length - 1, line - 1));
  let start = 0;
  for (let i = 0; i < idx; i++) start += lines[i].length + 1;
  const end = start + lines[idx].length;
  area.focus();
  const caret = column ? Math.min(end, start + column - 1) : start;
  area.setSelectionRange(column ? caret : start, end);
  const lh = parseFloat(getComputedStyle(area).lineHeight) || 18;
  area.scrollTop = Math.max(0, idx * lh - area.clientHeight / 3);
}
