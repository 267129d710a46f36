// Exact decimal arithmetic for display: amounts travel as minor units plus a decimal string in
// the currency's precision, so nothing here goes through floating point.

/** Digits after the point in a decimal string from the core ("12.50" → 2, "1200" → 0). */
export function decimalsOf(decimal: string): number {
  const point = decimal.indexOf(".");
  return point < 0 ? 0 : decimal.length - point - 1;
}

/** Minor units as a decimal string: (123450, 2) → "1234.50", (-5, 2) → "-0.05". */
export function minorToDecimal(minor: number, decimals: number): string {
  const negative = minor < 0;
  const digits = String(Math.abs(Math.trunc(minor))).padStart(decimals + 1, "0");
  const whole = decimals === 0 ? digits : digits.slice(0, -decimals);
  const fraction = decimals === 0 ? "" : `.${digits.slice(-decimals)}`;
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** Today as YYYY-MM-DD in the person's timezone (what <input type="date"> uses). */
export function todayIso(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A date `days` after today, YYYY-MM-DD. */
export function daysFromToday(days: number, now: Date = new Date()): string {
  const then = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  return todayIso(then);
}
