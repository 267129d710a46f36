//! Templates: the shipped set renders, user templates are safe (escaping, no environment, no
//! files, bounded output and loops) and typos are reported with line and column.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::company::fields::{self, TemplateContext};
use duebook_core::mail::compose;
use duebook_core::mail::security::Security;
use duebook_core::mail::templates::{
    self, EmailTemplate, RenderedEmail, Renderer, TemplateError, TemplatePart, BUILTIN,
    REMINDER_KEYS,
};
use duebook_core::secrets::MemoryStore;
use duebook_core::test_support::count;
use duebook_core::test_support::mail::*;

fn user_template(subject: &str, text: &str, html: &str) -> EmailTemplate {
    EmailTemplate {
        key: "custom".into(),
        name: "Custom".into(),
        subject: subject.into(),
        body_text: text.into(),
        body_html: html.into(),
        is_builtin: false,
        is_customized: false,
    }
}

/// `t` rendered with `ctx`.
fn render_custom(t: EmailTemplate, ctx: &TemplateContext) -> RenderedEmail {
    Renderer::new(&[t])
        .unwrap()
        .render("custom", ctx.to_tera())
        .unwrap()
}

fn issue(err: &TemplateError) -> &templates::TemplateIssue {
    err.issue()
        .unwrap_or_else(|| panic!("expected a located issue, got {err}"))
}

#[test]
fn every_shipped_template_renders_and_reminders_carry_how_to_pay() {
    let all: Vec<EmailTemplate> = BUILTIN
        .iter()
        .map(|(key, _, _)| templates::builtin(key).expect("shipped"))
        .collect();
    assert_eq!(all.len(), 19);
    let renderer = Renderer::new(&all).expect("shipped templates compile");
    let ctx = fields::sample_context();
    for key in templates::INTERNAL_KEYS {
        let out = renderer.render(key, ctx.clone()).expect("renders");
        assert!(out.text.contains("Hello Sam Lee"), "{key}: {}", out.text);
        assert!(out.text.contains("duebook://customer/1"), "{key}");
    }
    for t in all
        .iter()
        .filter(|t| !templates::INTERNAL_KEYS.contains(&t.key.as_str()))
    {
        let out = renderer
            .render(&t.key, ctx.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", t.key));
        assert!(!out.subject.is_empty(), "{}", t.key);
        assert!(out.text.contains("Dear Jordan"), "{}: {}", t.key, out.text);
        assert!(out.html.contains("Northwind Supplies Ltd"), "{}", t.key);
        assert!(
            !out.text.contains("{{") && !out.html.contains("{{"),
            "{}",
            t.key
        );
        if REMINDER_KEYS.contains(&t.key.as_str()) {
            for body in [&out.text, &out.html] {
                assert!(
                    body.contains("GB33BUKB20201555555555"),
                    "{} lacks the IBAN",
                    t.key
                );
                assert!(
                    body.contains("https://pay.example.com/INV-1001"),
                    "{} lacks the payment link",
                    t.key
                );
                assert!(
                    body.contains("INV-1017"),
                    "{} lacks the invoice list",
                    t.key
                );
            }
        }
    }
    let overdue = renderer.render("overdue-1", ctx.clone()).unwrap();
    assert!(overdue.text.contains("€1,234.50"), "{}", overdue.text);
    assert!(overdue.text.contains("44 days overdue"));
}

#[test]
fn get_env_and_file_access_are_refused() {
    let t = user_template("Hi", "{{ get_env(name=\"HOME\") }}", "<p>x</p>");
    let err = templates::check(&t).unwrap_err();
    let i = issue(&err);
    assert_eq!(i.part, TemplatePart::Text);
    assert!(i.message.contains("get_env"), "{}", i.message);
    assert_eq!((i.line, i.column), (Some(1), Some(4)));

    let t = user_template("Hi", "x", "{% include \"/etc/passwd\" %}");
    assert!(issue(&templates::check(&t).unwrap_err())
        .message
        .contains("only Duebook's own parts"));
    let t = user_template("Hi", "{% extends \"base.html\" %}", "x");
    assert!(templates::check(&t).is_err());
    let t = user_template("Hi", "{% macro m() %}x{% endmacro %}", "x");
    assert!(templates::check(&t).is_err());
}

#[test]
fn html_values_are_escaped_whatever_the_template_is_called_and_safe_cannot_unescape() {
    let mut ctx = fields::sample();
    ctx.customer.name = "<script>alert('x')</script> & Co".into();
    let t = user_template(
        "For {{ customer.name }}",
        "Hello {{ customer.name }}",
        "<p>Hello {{ customer.name }}</p>",
    );
    let out = render_custom(t, &ctx);
    assert!(
        out.html
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"),
        "{}",
        out.html
    );
    assert!(!out.html.contains("<script>"));
    assert!(
        out.text.contains("Hello <script>alert('x')</script> & Co"),
        "text is not escaped"
    );
    assert_eq!(out.subject, "For <script>alert('x')</script> & Co");

    // `safe` is allowed (the shipped signature uses it) and changes nothing: the value was
    // escaped before rendering.
    let t = user_template("Hi", "x", "<p>{{ customer.name | safe }}</p>");
    let out = render_custom(t, &ctx);
    assert!(
        out.html
            .contains("<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co</p>"),
        "{}",
        out.html
    );
}

#[test]
fn a_syntax_error_reports_line_and_column() {
    let t = user_template(
        "Hi",
        "Dear {{ contact.first_name }},\n\nYou owe {{ total_due }.\n",
        "<p>x</p>",
    );
    let err = templates::check(&t).unwrap_err();
    let i = issue(&err);
    assert_eq!(i.part, TemplatePart::Text);
    assert_eq!(i.line, Some(3), "{i}");
    assert!(i.column.is_some(), "{i}");
    assert!(err.to_string().contains("line 3"), "{err}");

    let t = user_template("Hi", "ok", "<p>\n{% if overdue_count > 0 %}\nunclosed\n");
    let i = issue(&templates::check(&t).unwrap_err()).clone();
    assert_eq!(i.part, TemplatePart::Html);
    assert!(i.line.is_some(), "{i}");
}

#[test]
fn a_misspelt_field_is_found_on_its_line() {
    let t = user_template("Hi", "Dear all,\n\nDear {{ custmer.name }}\n", "<p>x</p>");
    let err = templates::check(&t).unwrap_err();
    let i = issue(&err);
    assert!(i.message.contains("custmer.name"), "{}", i.message);
    assert_eq!((i.line, i.column), (Some(3), Some(9)), "{i}");
}

#[test]
fn output_and_loops_are_bounded() {
    let big = "{% for i in range(end=500) %}{% for j in range(end=500) %}0123456789{% endfor %}{% endfor %}";
    let t = user_template("Hi", big, "<p>x</p>");
    let err = templates::check(&t).unwrap_err();
    assert!(issue(&err).message.contains("larger than"), "{err}");

    let t = user_template(
        "Hi",
        "{% for i in range(end=100000000) %}x{% endfor %}",
        "x",
    );
    assert!(issue(&templates::check(&t).unwrap_err())
        .message
        .contains("limited to"));

    let deep = "{% for a in invoices %}{% for b in invoices %}{% for c in invoices %}x{% endfor %}{% endfor %}{% endfor %}";
    let t = user_template("Hi", deep, "x");
    assert!(issue(&templates::check(&t).unwrap_err())
        .message
        .contains("nested"));

    let t = user_template(
        "Hi",
        "{% for a in invoices %}{% set s = a.number %}{% endfor %}",
        "x",
    );
    assert!(templates::check(&t).is_err());
    let t = user_template("Hi", "{% set_global s = 1 %}", "x");
    assert!(templates::check(&t).is_err());
    let t = user_template("Hi", &"x".repeat(70 * 1024), "x");
    assert!(templates::check(&t).is_err());
}

#[test]
fn edited_templates_are_saved_listed_and_reset() {
    let (_dir, db) = temp_db();
    let mut t = templates::get(db.conn(), "overdue-1").unwrap();
    assert!(!t.is_customized);
    t.subject = "Overdue: {{ customer.name }}".into();
    templates::save(db.conn(), &t).unwrap();
    let stored = templates::get(db.conn(), "overdue-1").unwrap();
    assert_eq!(stored.subject, "Overdue: {{ customer.name }}");
    assert!(stored.is_builtin && stored.is_customized);

    // A broken edit is refused and the stored one stays.
    let mut broken = stored.clone();
    broken.body_text = "{{ oops".into();
    assert!(templates::save(db.conn(), &broken).is_err());
    assert_eq!(templates::get(db.conn(), "overdue-1").unwrap(), stored);
    let mut bad_key = stored.clone();
    bad_key.key = "../etc".into();
    assert!(templates::save(db.conn(), &bad_key).is_err());

    let list = templates::list(db.conn()).unwrap();
    assert_eq!(list.len(), 19);
    assert!(list.iter().any(|t| t.key == "overdue-1" && t.is_customized));

    templates::reset(db.conn(), "overdue-1").unwrap();
    assert_eq!(
        templates::get(db.conn(), "overdue-1").unwrap(),
        templates::builtin("overdue-1").unwrap()
    );
    assert!(templates::reset(db.conn(), "no-such").is_err());
}

#[test]
fn a_real_customer_renders_with_every_template() {
    let s = setup_for(
        587,
        Security::StartTls,
        "Café <b>Ölmann</b>",
        "ap@olmann.example",
    );
    let (db, customer) = (&s.db, s.customer);
    for (key, _, _) in BUILTIN
        .iter()
        .filter(|t| !templates::INTERNAL_KEYS.contains(&t.0))
    {
        let request = send_request(customer, key, vec![]);
        let prepared =
            compose::prepare(db.conn(), &request, today()).unwrap_or_else(|e| panic!("{key}: {e}"));
        let p = &prepared.preview;
        assert_eq!(
            p.to,
            vec!["Jordan Smith <ap@olmann.example>".to_string()],
            "{key}"
        );
        assert!(p.html.contains("Café &lt;b&gt;Ölmann&lt;/b&gt;"), "{key}");
        assert!(!p.html.contains("<b>Ölmann"), "{key}");
        assert_eq!(p.invoice_ids.len(), 2);
    }
    let prepared = compose::prepare(
        db.conn(),
        &send_request(customer, "overdue-1", vec![]),
        today(),
    )
    .unwrap();
    let text = &prepared.preview.text;
    assert!(text.contains(&format!("INV-2001-{customer}")), "{text}");
    assert!(text.contains("45 days overdue"), "{text}");
    assert!(
        text.contains(&format!("https://pay.example.com/INV-2001-{customer}")),
        "{text}"
    );
}

#[test]
fn bad_requests_are_refused_with_a_reason() {
    let (dir, db) = temp_db();
    let customer = seed_customer(&db, "Acme", "ap@acme.example");
    let request = |key: &str, files| send_request(customer, key, files);
    // No account yet.
    let err = compose::prepare(db.conn(), &request("overdue-1", vec![]), today()).unwrap_err();
    assert!(err.to_string().contains("no email account"), "{err}");
    save_account(&db, &MemoryStore::new(), 587, Security::StartTls);
    let err = compose::prepare(db.conn(), &request("no-such", vec![]), today()).unwrap_err();
    assert!(err.to_string().contains("no template"), "{err}");
    let missing = dir.path().join("missing.pdf");
    let err =
        compose::prepare(db.conn(), &request("overdue-1", vec![missing]), today()).unwrap_err();
    assert!(err.to_string().contains("cannot attach"), "{err}");
    let err =
        compose::prepare(db.conn(), &send_request(9999, "overdue-1", vec![]), today()).unwrap_err();
    assert!(err.to_string().contains("no customer 9999"), "{err}");
    db.conn()
        .execute(
            "UPDATE customers SET do_not_contact = 1 WHERE id = ?1",
            [customer],
        )
        .unwrap();
    let err = compose::prepare(db.conn(), &request("overdue-1", vec![]), today()).unwrap_err();
    assert!(err.to_string().contains("do not contact"), "{err}");
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 0);
}
