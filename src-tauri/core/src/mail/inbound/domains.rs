//! Mail domains anyone can have an address at: a sender there says nothing about which
//! customer they belong to, so they never match by domain.

/// Public domains, exactly.
const PUBLIC: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "msn.com",
    "ymail.com",
    "rocketmail.com",
    "web.de",
    "t-online.de",
    "freenet.de",
    "posteo.de",
    "mailbox.org",
    "proton.me",
    "protonmail.com",
    "protonmail.ch",
    "pm.me",
    "tutanota.com",
    "tuta.io",
    "zoho.com",
    "zohomail.com",
    "fastmail.com",
    "hey.com",
    "mail.com",
    "mail.ru",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "laposte.net",
    "sfr.fr",
    "libero.it",
    "virgilio.it",
    "qq.com",
    "163.com",
    "126.com",
    "naver.com",
    "comcast.net",
    "verizon.net",
    "att.net",
    "btinternet.com",
    "sky.com",
    "telefonica.net",
    "terra.es",
    "bluewin.ch",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    "interia.pl",
];

/// Providers with a public domain under many country endings: `yahoo.*`, `gmx.*` ... (the
/// provider's name, then a country or generic ending such as `.de` or `.co.uk`).
const PUBLIC_FAMILIES: &[&str] = &[
    "yahoo", "gmx", "hotmail", "outlook", "live", "yandex", "aim",
];

/// Whether `domain` (lower-case) is a public mail provider's.
pub fn is_public(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let family = match labels.as_slice() {
        [name, ending @ ..] if (1..=2).contains(&ending.len()) => {
            PUBLIC_FAMILIES.contains(name) && ending.iter().all(|l| (2..=3).contains(&l.len()))
        }
        _ => false,
    };
    PUBLIC.contains(&domain) || family
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_domains_and_families() {
        for public in [
            "gmail.com",
            "yahoo.co.uk",
            "gmx.de",
            "gmx.net",
            "web.de",
            "proton.me",
        ] {
            assert!(is_public(public), "{public}");
        }
        for company in [
            "acme.example",
            "gmail.example.com",
            "mygmx.de",
            "outlook.acme.com",
        ] {
            assert!(!is_public(company), "{company}");
        }
    }
}
