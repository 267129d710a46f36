// Errors from a save, sorted into the field they belong next to (the core names it) or the form as
// a whole. What the person typed stays in the form: only a successful save clears it.
import { toApiError } from "./api";

export interface FormErrors {
  /** Messages by field name as the core names fields ("amount", "email", "promised_date" ...). */
  fields: Record<string, string>;
  /** A message that belongs to no field shown in the form. */
  general: string | null;
}

export const noErrors = (): FormErrors => ({ fields: {}, general: null });

/** Sorts a failed save's error: beside the field when the form shows that field. */
export function formErrors(error: unknown, shown: readonly string[]): FormErrors {
  const e = toApiError(error);
  if (e.field && shown.includes(e.field)) return { fields: { [e.field]: e.message }, general: null };
  return { fields: {}, general: e.message };
}

const NOT_TEXT = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"]);

/** Is the person typing into this element (so single-key shortcuts must not fire)? */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.closest("textarea, select") !== null) return true;
  return target instanceof HTMLInputElement && !NOT_TEXT.has(target.type);
}
