//! A received message's HTML body made safe to keep and show: ammonia (a maintained,
//! allow-list HTML sanitiser on html5ever, the parser browsers' rules are written for) keeps
//! text and simple formatting and drops everything that runs, styles or fetches: scripts,
//! style sheets and `style` attributes, event handlers, forms, frames, and every `src` — an
//! image from the sender's server would tell them when and where the message was read. Links
//! keep their https/mailto address with `rel="noopener noreferrer"`; relative ones are dropped.
//! The screen shows the result in a sandboxed frame, where a link cannot be followed either.

use std::collections::HashSet;

/// Attributes that make the reader fetch something.
const FETCHING: [&str; 5] = ["src", "srcset", "background", "poster", "lowsrc"];

/// `html` sanitised (see the module's comment). Never panics, whatever the input.
pub fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        // An attribute value is written back with `<` as it is: one holding markup (a title of
        // "<script>…") is dropped, so no `<script` reaches the output even as harmless text.
        .attribute_filter(|_, attribute, value| {
            let keep = !FETCHING.contains(&attribute) && !value.contains(['<', '>']);
            keep.then(|| value.into())
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scripts_styles_handlers_and_remote_content_are_removed() {
        let html = r#"<html><head><style>p{color:red}</style><script>alert(1)</script></head>
            <body onload="steal()"><p style="background:url(https://t.example/b)" onclick="x()">
            Paid <b>yesterday</b></p><img src="https://t.example/pixel.gif" alt="logo">
            <img srcset="https://t.example/a.png 2x"><a href="https://pay.example/r?1">receipt</a>
            <a href="javascript:alert(1)">x</a><iframe src="https://e.example"></iframe>
            <form action="https://e.example"><input name=a></form></body></html>"#;
        let clean = sanitise(html);
        for gone in [
            "<script",
            "alert",
            "<style",
            "style=",
            "onload",
            "onclick",
            "src",
            "<iframe",
            "<form",
            "<input",
            "javascript:",
        ] {
            assert!(!clean.contains(gone), "{gone} survived: {clean}");
        }
        assert!(clean.contains("Paid <b>yesterday</b>"), "{clean}");
        assert!(clean.contains(r#"<img alt="logo">"#), "{clean}");
        assert!(
            clean.contains(r#"<a href="https://pay.example/r?1" rel="noopener noreferrer">"#),
            "{clean}"
        );
    }

    /// The fetching attributes an HTML parser finds in `html` (parsed again, as a browser would).
    fn fetching_attributes(html: &str) -> Vec<String> {
        use std::sync::{Arc, Mutex};
        let found = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&found);
        ammonia::Builder::default()
            .attribute_filter(move |element, attribute, value| {
                if FETCHING.contains(&attribute) {
                    seen.lock()
                        .unwrap()
                        .push(format!("{element} {attribute}={value}"));
                }
                Some(value.into())
            })
            .clean(html);
        let found = found.lock().unwrap().clone();
        found
    }

    #[test]
    fn the_check_finds_a_source_where_one_is() {
        assert_eq!(
            fetching_attributes(r#"<img src="https://t.example/p">"#).len(),
            1
        );
        assert!(fetching_attributes(&sanitise(r#"<img src="https://t.example/p">"#)).is_empty());
    }

    fn hostile_html() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "<script>",
            "</script>",
            "<SCRIPT src=\"http://e.example/x.js\">",
            "<img src=\"http://e.example/p.gif\">",
            "<img src=http://e.example/p.gif>",
            "<IMG SRC=\"HTTP://E.EXAMPLE/P\">",
            "<svg><script>a</script></svg>",
            "<math><mi><style><img src=x onerror=1>",
            "<!--",
            "-->",
            "<![CDATA[",
            "<a href=\"javascript:x\">",
            "<p style=\"x\">",
            "\"",
            "'",
            "<",
            ">",
            "&lt;script&gt;",
            "<noscript><p title=\"</noscript><img src=http://e.example>\">",
            "<template><script>",
            "\u{0}",
            "\u{202E}",
            "é中😀",
        ]);
        (
            prop::collection::vec(pieces, 0..24),
            prop::collection::vec(any::<String>(), 0..6),
        )
            .prop_map(|(pieces, noise)| {
                let mut out = String::new();
                for (i, p) in pieces.iter().enumerate() {
                    out.push_str(p);
                    if let Some(n) = noise.get(i % noise.len().max(1)) {
                        out.push_str(n);
                    }
                }
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_html_comes_out_without_scripts_or_remote_sources(html in hostile_html()) {
            let clean = sanitise(&html);
            let lower = clean.to_ascii_lowercase();
            prop_assert!(!lower.contains("<script"), "{}", clean);
            prop_assert!(fetching_attributes(&clean).is_empty(), "{}", clean);
            // As text (inside <noscript>, say) the words may stay, escaped and harmless; as
            // markup they may not.
            prop_assert!(!lower.contains("<img src"), "{}", clean);
        }

        #[test]
        fn any_text_never_panics(text in any::<String>()) {
            let clean = sanitise(&text).to_ascii_lowercase();
            prop_assert!(!clean.contains("<script"));
        }
    }
}
