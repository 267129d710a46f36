// Who gets a step's early-payment offer, as the campaign editor types it: a segment, usually late
// payers only (the audience's "usually pays late by N days on average"), an open balance range
// (major units, converted as the audience's range is). Blank is no rule; all rules must hold.
import type { Offer } from "../../lib/api";
import { major, minor, text, whole } from "./formValues";

export interface OfferRuleForm {
  segment: string;
  /** Average days late, "" for anyone. */
  late: string;
  /** Open balance from / to, in major units. */
  min: string;
  max: string;
}

/** What is wrong with a field, by field. */
export type OfferRuleErrors = Partial<Record<keyof OfferRuleForm, string>>;

type Rules = Pick<Offer, "segment" | "usually_late" | "min_balance_minor" | "max_balance_minor">;

export function ruleForm(offer: Offer | null | undefined): OfferRuleForm {
  return {
    segment: offer?.segment ?? "",
    late: text(offer?.usually_late?.min_average_days_late),
    min: major(offer?.min_balance_minor),
    max: major(offer?.max_balance_minor),
  };
}

/** The field's value, or its error recorded in `errors` (then null). */
function read<T>(errors: OfferRuleErrors, field: keyof OfferRuleForm, parse: () => T | null): T | null {
  try {
    return parse();
  } catch (e) {
    errors[field] = e instanceof Error ? e.message : String(e);
    return null;
  }
}

/** The rules the form says, and what is wrong with each field typed (the core checks again). */
export function readRules(form: OfferRuleForm): { rules: Rules; errors: OfferRuleErrors } {
  const errors: OfferRuleErrors = {};
  const days = read(errors, "late", () => whole(form.late, "Usually late by"));
  if (days !== null && days < 1) errors.late = "Usually late by: at least 1 day";
  const min = read(errors, "min", () => minor(form.min, "Balance from"));
  const max = read(errors, "max", () => minor(form.max, "Balance to"));
  if (min !== null && max !== null && min > max) errors.max = "Balance to: below the balance from";
  const rules = {
    segment: form.segment.trim() || null,
    usually_late: days === null ? null : { min_average_days_late: days },
    min_balance_minor: min,
    max_balance_minor: max,
  };
  return { rules, errors };
}
