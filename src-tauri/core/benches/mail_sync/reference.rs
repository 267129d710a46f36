//! The plain reference: a bare async-imap session over the same loopback TCP (Nagle off, as
//! Duebook's), giving the IMAP commands a sync gives and doing nothing with what it reads.

use chrono::{Days, Utc};
use duebook_core::test_support::imap::IMAP_PASSWORD;
use duebook_core::test_support::mail::USER;
use futures_util::{StreamExt, TryStreamExt};

type Session = async_imap::Session<tokio::net::TcpStream>;

async fn log_in(port: u16) -> Session {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.expect("greeting");
    client
        .login(USER, IMAP_PASSWORD)
        .await
        .map_err(|(e, _)| e)
        .expect("login")
}

/// LIST, then INBOX's messages of the last 90 days fetched whole in batches of 200, and Sent
/// looked at; the messages read.
pub async fn first_sync(port: u16) -> usize {
    let mut session = log_in(port).await;
    list(&mut session).await;
    let since = Utc::now().date_naive() - Days::new(90);
    session.examine("INBOX").await.expect("examine");
    let query = format!("SINCE {}", since.format("%-d-%b-%Y"));
    let mut uids: Vec<u32> = session
        .uid_search(&query)
        .await
        .expect("search")
        .into_iter()
        .collect();
    uids.sort_unstable();
    let mut read = 0;
    for batch in uids.chunks(200) {
        let set: Vec<String> = batch.iter().map(u32::to_string).collect();
        let mut answers = session
            .uid_fetch(set.join(","), "BODY.PEEK[]")
            .await
            .expect("fetch");
        while let Some(fetch) = answers.next().await {
            read += usize::from(fetch.expect("fetch").body().is_some());
        }
    }
    session.examine("Sent").await.expect("examine Sent");
    session.uid_search(&query).await.expect("search Sent");
    session.logout().await.expect("logout");
    read
}

/// LIST, and on INBOX and Sent an EXAMINE and a search for UIDs above the highest.
pub async fn nothing_new(port: u16) {
    let mut session = log_in(port).await;
    list(&mut session).await;
    for folder in ["INBOX", "Sent"] {
        let mailbox = session.examine(folder).await.expect("examine");
        let next = mailbox.uid_next.unwrap_or(1);
        session
            .uid_search(format!("UID {next}:*"))
            .await
            .expect("search");
    }
    session.logout().await.expect("logout");
}

async fn list(session: &mut Session) {
    let _: Vec<_> = session
        .list(Some(""), Some("*"))
        .await
        .expect("list")
        .try_collect()
        .await
        .expect("list");
}
