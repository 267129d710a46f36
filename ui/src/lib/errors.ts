// What the UI shows for a failed command: the one place that turns a CommandError ({kind,
// message}, see bindings/CommandError.ts) or any thrown value into words.
import { toApiError, type ErrorKind } from "./api";

const GENERIC_TITLE = "Something went wrong";

const titles: Record<ErrorKind, string> = {
  not_found: "Not found",
  invalid_input: "That did not work",
  newer_database: "This database needs a newer Duebook",
  damaged: "This database is damaged",
  no_database: "No database is open",
  database: "Database error",
  io: "File error",
  import_failed: "This file cannot be imported",
  internal: GENERIC_TITLE,
  unexpected: GENERIC_TITLE,
};

/** Kinds whose title says what happened whatever the screen was doing. */
const TELLING: ReadonlySet<ErrorKind> = new Set(["newer_database", "damaged", "import_failed"]);

/** The message to show for a failure: the shell's own words, or the thrown error's. */
export function errorText(error: unknown): string {
  return toApiError(error).message;
}

/**
 * The heading over a failure. Without `fallback`, every kind has its title; with one, only the
 * kinds that tell what happened have theirs and the rest read as the screen's `fallback`.
 */
export function errorTitle(kind: ErrorKind | null | undefined, fallback?: string): string {
  if (kind == null) return fallback ?? GENERIC_TITLE;
  if (fallback === undefined) return titles[kind] ?? GENERIC_TITLE;
  return TELLING.has(kind) ? titles[kind] : fallback;
}
