// The late-fee fields of the campaign editor as the user types them, and the campaign's
// LateFees they make (amounts in minor units, rates in basis points: 8 % = 800).
import type { LateFees, StatutoryRate } from "../../lib/api";

export type LateFeeForm = {
  on: boolean;
  fee: string;
  interest: "none" | "annual" | "statutory";
  rate: string;
  grace: string;
};

const hundredths = (n: number) => (n / 100).toFixed(2);

/** "4.00 % + 8.00 points = 12.00 % a year", or that none is set. */
export function describeStatutory(rate: StatutoryRate | null): string {
  if (rate === null) return "no statutory rate is set yet";
  const { reference_basis_points: reference, points_basis_points: points } = rate;
  return `${hundredths(reference)} % + ${hundredths(points)} points = ${hundredths(reference + points)} % a year`;
}

/** The rate as the settings form shows it: two percentages. */
export function statutoryForm(rate: StatutoryRate | null): { reference: string; points: string } {
  return rate === null
    ? { reference: "", points: "8.00" }
    : { reference: hundredths(rate.reference_basis_points), points: hundredths(rate.points_basis_points) };
}

export function formOf(fees: LateFees | null): LateFeeForm {
  const interest = fees?.interest ?? null;
  return {
    on: fees !== null,
    fee: fees?.fee_minor === null || fees?.fee_minor === undefined ? "" : hundredths(fees.fee_minor),
    interest: interest === null ? "none" : interest === "statutory" ? "statutory" : "annual",
    rate: interest !== null && interest !== "statutory" ? hundredths(interest.annual.basis_points) : "8.00",
    grace: String(fees?.grace_days ?? 0),
  };
}

/** "40" or "40.5" or "40.50" as hundredths (4000); throws with the field's label otherwise. */
function hundredthsOf(value: string, label: string): number {
  const t = value.trim().replaceAll(",", "").replace(/%$/, "").trim();
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(t);
  if (!m) throw new Error(`${label}: "${value.trim()}" is not a number with at most two decimals`);
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}

export function lateFeesOf(form: LateFeeForm): LateFees | null {
  if (!form.on) return null;
  const grace = form.grace.trim() === "" ? 0 : hundredthsOf(form.grace, "Grace period");
  if (grace % 100 !== 0) throw new Error("Grace period: a whole number of days");
  return {
    fee_minor: form.fee.trim() === "" ? null : hundredthsOf(form.fee, "Late fee"),
    interest:
      form.interest === "none"
        ? null
        : form.interest === "statutory"
          ? "statutory"
          : { annual: { basis_points: hundredthsOf(form.rate, "Interest rate") } },
    grace_days: grace / 100,
  };
}
