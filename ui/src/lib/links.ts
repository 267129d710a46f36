// duebook://customer/ID links (an owner notice links to its customer): the customer a link
// names, or an error that says why it opens nothing. The shell reads the link; the app was
// started with it, or a second start handed it over.
import { api, ApiError, toApiError, type CustomerRow } from "./api";
import { customerRow } from "./lastPlace";

/** The customer `link` names; an ApiError saying why when it names none in this database. */
export async function customerFromLink(link: string): Promise<CustomerRow> {
  const id = await api.customerLinkId(link);
  try {
    return await customerRow(id);
  } catch (e) {
    const error = toApiError(e);
    if (error.kind !== "not_found") throw error;
    const shown = link.trim().slice(0, 80);
    throw new ApiError("not_found", `The link ${shown} opens customer ${id}, and this database has no customer ${id}.`);
  }
}
