// An account owner as the list and the customer screen show it, the way the core's
// Owner::display writes it (so a filter value matches).
import type { Owner } from "./bindings/Owner";

export function ownerText(owner: Owner | null): string {
  if (!owner) return "";
  if (owner.name && owner.email) return `${owner.name} <${owner.email}>`;
  return owner.name ?? owner.email ?? "";
}
