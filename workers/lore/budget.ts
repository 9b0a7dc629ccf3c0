/**
 * The token budget. Each sweep's entries are admitted in order of importance: sticky entries, then
 * constants (SillyTavern: "constant entries will be inserted first"), then by `priority` (else
 * insertion order), highest first, entries marked `@@ignore_on_max_context` after all others; since
 * sweeps run in turn, entries matched in the messages come before those matched through recursion.
 * Constants count against the budget like any entry. When an entry does not fit, it and every entry
 * after it are cut and recursion stops (SillyTavern stops at the first overflow), so the lowest
 * priority goes first. A book's own `tokenBudget` also caps its entries together: an entry over its
 * book's cap is cut, and the others still go on.
 */
import type { PreparedEntry } from "./prepare";

export interface BudgetCandidate {
  entry: PreparedEntry;
  sticky: boolean;
}

function rank(candidate: BudgetCandidate): number {
  if (candidate.entry.effects.ignoreOnMaxContext) return 3;
  if (candidate.sticky) return 0;
  return candidate.entry.entry.constant ? 1 : 2;
}

/** Most important first. */
function budgetOrder(a: BudgetCandidate, b: BudgetCandidate): number {
  return rank(a) - rank(b) || b.entry.priority - a.entry.priority || b.entry.entry.insertionOrder - a.entry.entry.insertionOrder || a.entry.seq - b.entry.seq;
}

export class LoreBudget {
  used = 0;
  overflowed = false;
  private readonly usedByBook = new Map<string, number>();

  constructor(
    readonly total: number,
    private readonly bookBudgets: Map<string, number>,
    private readonly countTokens: (entry: PreparedEntry) => number,
  ) {}

  admit<T extends BudgetCandidate>(candidates: T[]): { admitted: Array<{ candidate: T; tokens: number }>; cut: Array<{ candidate: T; detail: string }> } {
    const admitted: Array<{ candidate: T; tokens: number }> = [];
    const cut: Array<{ candidate: T; detail: string }> = [];
    for (const candidate of [...candidates].sort(budgetOrder)) {
      if (this.overflowed) {
        cut.push({ candidate, detail: `over the token budget of ${this.total}` });
        continue;
      }
      const tokens = this.countTokens(candidate.entry);
      if (this.used + tokens > this.total) {
        this.overflowed = true;
        cut.push({ candidate, detail: `over the token budget of ${this.total}` });
        continue;
      }
      const bookId = candidate.entry.bookId;
      const bookBudget = this.bookBudgets.get(bookId);
      const bookUsed = this.usedByBook.get(bookId) ?? 0;
      if (bookBudget !== undefined && bookUsed + tokens > bookBudget) {
        cut.push({ candidate, detail: `over its book's token budget of ${bookBudget}` });
        continue;
      }
      this.used += tokens;
      this.usedByBook.set(bookId, bookUsed + tokens);
      admitted.push({ candidate, tokens });
    }
    return { admitted, cut };
  }
}
