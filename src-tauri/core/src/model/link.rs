//! `duebook://` links: an owner notice links to its customer (`duebook://customer/ID`), and the
//! app opens the customer when started with such a link (or handed one by a second start).

/// The scheme of Duebook's links, registered for the desktop app by its packages.
pub const LINK_SCHEME: &str = "duebook";

/// The link that opens customer `id` in the app.
pub fn customer_link(id: i64) -> String {
    format!("{LINK_SCHEME}://customer/{id}")
}

/// Why a `duebook://` link could not be read. Its text quotes at most the first 80 characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("{0:?} is not a Duebook link (they start with duebook://)")]
    NotALink(String),
    #[error("the link {0:?} does not name a customer (duebook://customer/NUMBER)")]
    NoCustomer(String),
}

/// Reads `duebook://customer/ID` (a trailing slash, a query or a fragment ignored; the scheme
/// in any case): the customer's id, which may still be unknown to this database.
pub fn parse_customer_link(text: &str) -> Result<i64, LinkError> {
    let text = text.trim();
    let quoted = || text.chars().take(80).collect::<String>();
    let rest = text
        .split_once("://")
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case(LINK_SCHEME))
        .map(|(_, rest)| rest)
        .ok_or_else(|| LinkError::NotALink(quoted()))?;
    let path = rest.split(['?', '#']).next().unwrap_or("");
    let path = path.strip_suffix('/').unwrap_or(path);
    path.strip_prefix("customer/")
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|id| id.parse::<i64>().ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| LinkError::NoCustomer(quoted()))
}

/// The first argument that is a `duebook:` link, as given (a launcher passes the link as an
/// argument of its own).
pub fn link_argument<'a>(args: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    args.into_iter().find(|a| {
        a.trim()
            .get(..LINK_SCHEME.len() + 1)
            .is_some_and(|p| p.eq_ignore_ascii_case(&format!("{LINK_SCHEME}:")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn customer_links_read_back_and_bad_ones_say_why() {
        assert_eq!(parse_customer_link(&customer_link(42)), Ok(42));
        assert_eq!(
            parse_customer_link(" DUEBOOK://customer/7/?from=mail "),
            Ok(7)
        );
        assert_eq!(parse_customer_link("duebook://customer/7#x"), Ok(7));
        for bad in [
            "duebook://customer/",
            "duebook://customer/0",
            "duebook://customer/-3",
            "duebook://customer/+3",
            "duebook://customer/99999999999999999999",
            "duebook://invoice/3",
            "duebook://customer/3/notes",
        ] {
            assert!(
                matches!(parse_customer_link(bad), Err(LinkError::NoCustomer(_))),
                "{bad}"
            );
        }
        for bad in ["https://customer/3", "customer/3", "", "duebook:customer/3"] {
            assert!(
                matches!(parse_customer_link(bad), Err(LinkError::NotALink(_))),
                "{bad}"
            );
        }
        let args = ["--db", "/x.sqlite", "Duebook://customer/5"];
        assert_eq!(link_argument(args), Some("Duebook://customer/5"));
        assert_eq!(link_argument(["--db", "d"]), None);
    }

    proptest! {
        /// Any text, however long or odd, reads as an id or an error, never a panic; every
        /// id reads back from its own link.
        #[test]
        fn any_text_reads_without_panicking(text in any::<String>(), id in 1i64..) {
            let _ = parse_customer_link(&text);
            let _ = link_argument([text.as_str()]);
            let _ = parse_customer_link(&format!("duebook://{text}"));
            prop_assert_eq!(parse_customer_link(&customer_link(id)), Ok(id));
        }

        #[test]
        fn an_error_quotes_at_most_80_characters(text in ".{0,300}") {
            if let Err(LinkError::NoCustomer(q) | LinkError::NotALink(q)) =
                parse_customer_link(&format!("duebook://customer/{text}"))
            {
                prop_assert!(q.chars().count() <= 80);
            }
        }
    }
}
