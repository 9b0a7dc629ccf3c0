/**
 * Rows an operation wrote, counted from the session's SQLite file itself: every row of every table
 * (`messages`, `meta`, and whatever else the object keeps there) before the operation and after it,
 * compared. The file is read while the Worker's workerd has it open, which is safe because a Durable
 * Object's database is in WAL mode with SQLite's ordinary locks (checked on every snapshot): the bench's
 * read-only connection reads one consistent snapshot in one read transaction, takes no lock a writer
 * waits on, and never checkpoints, so it neither sees half a change nor holds one up.
 */
import { DatabaseSync } from "node:sqlite";

/** Each table's rows, by primary key (rowid when it declares none), as JSON. */
export type Snapshot = Map<string, Map<string, string>>;

export interface RowsWritten {
  /** Rows inserted, deleted or changed, over all tables. */
  total: number;
  inserted: number;
  deleted: number;
  changed: number;
  /** Changed rows by the columns that changed, `table.column`: e.g. `{"messages.pos": 100}`. */
  changedColumns: Record<string, number>;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function snapshot(file: string): Snapshot {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const { journal_mode } = db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
    if (journal_mode !== "wal") throw new Error(`${file} is in ${journal_mode} mode, not WAL: reading it beside workerd could hold up its writes`);
    db.exec("BEGIN");
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
    const result: Snapshot = new Map();
    for (const { name } of tables) {
      const columns = db.prepare(`PRAGMA table_info(${quote(name)})`).all() as { name: string; pk: number }[];
      const key = columns
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => quote(c.name));
      const rows = new Map<string, string>();
      const select = db.prepare(`SELECT ${key.length ? key.join(" || char(0) || ") : "rowid"} AS bench_key, * FROM ${quote(name)}`);
      for (const row of select.iterate() as Iterable<Record<string, unknown>>) {
        const { bench_key, ...fields } = row;
        rows.set(
          String(bench_key),
          JSON.stringify(fields, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v)),
        );
      }
      result.set(name, rows);
    }
    db.exec("COMMIT");
    return result;
  } finally {
    db.close();
  }
}

export function rowsWritten(before: Snapshot, after: Snapshot): RowsWritten {
  const w: RowsWritten = { total: 0, inserted: 0, deleted: 0, changed: 0, changedColumns: {} };
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const [was, now] = [before.get(table) ?? new Map<string, string>(), after.get(table) ?? new Map<string, string>()];
    for (const [key, row] of now) {
      const old = was.get(key);
      if (old === undefined) w.inserted++;
      else if (old !== row) {
        w.changed++;
        const [a, b] = [JSON.parse(old), JSON.parse(row)];
        for (const column of Object.keys(b)) {
          if (a[column] !== b[column]) w.changedColumns[`${table}.${column}`] = (w.changedColumns[`${table}.${column}`] ?? 0) + 1;
        }
      }
    }
    for (const key of was.keys()) if (!now.has(key)) w.deleted++;
  }
  w.total = w.inserted + w.deleted + w.changed;
  return w;
}

/** e.g. `1 new; 2 changed (messages.pos 1, messages.selected_child 1)` */
export function describeWrites(w: RowsWritten): string {
  const changed = Object.entries(w.changedColumns).map(([column, n]) => `${column} ${n.toLocaleString("en")}`);
  return (
    [w.inserted && `${w.inserted} new`, w.deleted && `${w.deleted} deleted`, w.changed && `${w.changed.toLocaleString("en")} changed (${changed.join(", ")})`]
      .filter(Boolean)
      .join("; ") || "none"
  );
}
