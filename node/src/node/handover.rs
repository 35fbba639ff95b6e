//! Certificates over the network, in a running post
//! (`/liandong/cert-request/1`, `protocol::trust::handover`).
//!
//! As a parent it answers asks from posts not yet admitted: a request is
//! kept in its queue (`service::cert_inbox`), at most
//! [`MAX_ASKS_IN_FLIGHT`] asks are served at once (more are refused as
//! throttled), and a poll is answered with the certificate once issued.
//!
//! As a newcomer it sends its request by the courier (`net::courier`),
//! remembers where (`service::cert_outbox`), and asks there — soon, then
//! less often — until the certificate comes back; then installs it through
//! the one ingest path, forgets the addresses and dials the parent, whose
//! hello now admits it.

use std::sync::Arc;
use std::time::Duration;

use liandong_protocol::NodeId;
use liandong_protocol::trust::handover::{CertAnswer, CertAsk, HandoverRefusal};
use libp2p::request_response::ResponseChannel;
use libp2p::{Multiaddr, PeerId};

use super::ingest::{self, Origin};
use super::{NodeHandle, Shared};
use crate::clock;
use crate::ledger::LedgerError;
use crate::ledger::actor::ActorError;
use crate::net::courier::{self, CourierError};
use crate::service::cert_inbox;
use crate::service::cert_install::{self, InstallError, Installed};
use crate::service::cert_outbox;
use crate::service::cert_request::{self, Sent, SignedRequest};

/// Certificate asks served at once; more are refused as throttled.
pub(super) const MAX_ASKS_IN_FLIGHT: usize = 4;
/// The first ask after a request was sent, doubling up to [`LAST_POLL`].
const FIRST_POLL: Duration = Duration::from_secs(2);
const LAST_POLL: Duration = Duration::from_secs(60);

/// Why a newcomer's network step failed.
#[derive(Debug, thiserror::Error)]
pub enum HandoverFailure {
    #[error(transparent)]
    Courier(#[from] CourierError),
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Nothing to ask: no address given and none remembered.
    #[error("{0}")]
    Usage(String),
}

fn stopped(_: ActorError) -> LedgerError {
    LedgerError::Stopped
}

/// Answers one ask (the node loop took a slot for it).
pub(super) async fn on_ask(
    shared: &Arc<Shared>,
    peer: PeerId,
    source: Option<std::net::IpAddr>,
    ask: CertAsk,
    channel: ResponseChannel<CertAnswer>,
) {
    let answer = shared
        .ledger
        .read(move |l| match ask {
            CertAsk::Submit { request } => {
                cert_inbox::receive(l, &request, source, clock::now_ms())
            }
            CertAsk::Poll { subject } => cert_inbox::answer(l, &subject),
        })
        .await
        .map_err(stopped)
        .map_err(cert_inbox::InboxError::from)
        .and_then(|r| r)
        .unwrap_or_else(CertAnswer::from);
    if let CertAnswer::Refused { reason, detail } = &answer {
        tracing::debug!(%peer, reason = reason.label(), %detail, "certificate ask refused");
    }
    shared.net.answer_handover(channel, answer).await;
}

/// Refuses an ask for which no slot was free.
pub(super) async fn refuse_throttled(shared: &Arc<Shared>, channel: ResponseChannel<CertAnswer>) {
    let answer = CertAnswer::refused(
        HandoverRefusal::Throttled,
        "too many certificate requests at once; try again shortly / 请稍后重试",
    );
    shared.net.answer_handover(channel, answer).await;
}

/// Checks a certificate file, stores it through the ingest path, and
/// forgets where the request went.
async fn install(shared: &Arc<Shared>, file: Vec<u8>) -> Result<Installed, InstallError> {
    let me = shared.config.post.clone();
    let checked = shared
        .ledger
        .read(move |l| cert_install::check(l, &me, &file))
        .await
        .map_err(stopped)??;
    let (outcomes, _) = ingest::ingest(shared, Origin::BUNDLE, checked.entries.clone())
        .await
        .map_err(stopped)?;
    let installed = shared
        .ledger
        .read(move |l| cert_install::finish(l, &checked, &outcomes))
        .await
        .map_err(stopped)??;
    // Certified: nothing left to ask the parents for.
    if let Err(e) = shared
        .ledger
        .read(cert_outbox::clear)
        .await
        .map_err(stopped)?
    {
        tracing::warn!(error = %e, "the request's addresses were not cleared");
    }
    Ok(installed)
}

/// The certificate came back from `addr`: installed, the addresses
/// forgotten, and the parent dialled (its hello now admits this post).
async fn installed_from(
    shared: &Arc<Shared>,
    addr: &Multiaddr,
    file: Vec<u8>,
) -> Result<Installed, InstallError> {
    let installed = install(shared, file).await?;
    tracing::info!(
        name = %installed.name,
        region = %installed.region,
        from = %addr,
        "certificate received over the network and installed / 已通过网络收到并安装证书"
    );
    if let Err(e) = shared.net.dial(addr.clone()).await {
        tracing::debug!(%addr, error = %e, "dialling the parent after install failed");
    }
    Ok(installed)
}

/// This post's request, signed now.
async fn signed(shared: &Arc<Shared>) -> Result<(SignedRequest, Vec<u8>), LedgerError> {
    let me = shared.config.post.clone();
    let (_, summary, bytes) = shared
        .ledger
        .read(move |l| cert_request::sign(l, &me, clock::now_ms()))
        .await
        .map_err(stopped)??;
    Ok((summary, bytes))
}

/// Asks `addr` once whether this post's certificate is ready; installs it
/// when it is. An address that does not know the request (its queue was
/// cleared) is sent it again.
async fn collect(shared: &Arc<Shared>, addr: &Multiaddr) -> Result<Sent, HandoverFailure> {
    let answer = courier::collect(addr, shared.node_id, async || {
        Ok::<_, HandoverFailure>(signed(shared).await?.1)
    })
    .await?;
    let mut sent = Sent::new(addr.to_string(), &answer);
    if let CertAnswer::Issued { file } = answer {
        sent.installed = Some(installed_from(shared, addr, file).await?);
    }
    Ok(sent)
}

impl NodeHandle {
    /// `cert request --send`: signs this post's request and hands it to
    /// the parent at `addr`; while it waits there, this post asks again
    /// until the certificate comes back. A certificate the parent already
    /// issued is installed at once.
    pub async fn send_cert_request(
        &self,
        addr: Multiaddr,
    ) -> Result<(SignedRequest, Sent), HandoverFailure> {
        let shared = &self.shared;
        let (summary, bytes) = signed(shared).await?;
        let answer = courier::ask(&addr, CertAsk::Submit { request: bytes }).await?;
        let mut sent = Sent::new(addr.to_string(), &answer);
        match answer {
            CertAnswer::Received { .. } | CertAnswer::Pending => {
                let at = addr.clone();
                shared
                    .ledger
                    .read(move |l| cert_outbox::record(l, &at, clock::now_ms()))
                    .await
                    .map_err(stopped)?
                    .map_err(LedgerError::from)?;
                shared.outbox_changed.notify_one();
            }
            CertAnswer::Issued { file } => {
                sent.installed = Some(installed_from(shared, &addr, file).await?);
            }
            CertAnswer::Unknown | CertAnswer::Refused { .. } => {}
        }
        Ok((summary, sent))
    }

    /// `cert install --from-network`: asks `addr` (or every address the
    /// request was sent to) now, and installs the certificate if it is
    /// ready. One answer per address asked.
    pub async fn collect_certificate(
        &self,
        addr: Option<Multiaddr>,
    ) -> Result<Vec<Sent>, HandoverFailure> {
        let shared = &self.shared;
        let addrs = shared
            .ledger
            .read(move |l| cert_outbox::targets(l, addr))
            .await
            .map_err(stopped)?
            .map_err(LedgerError::from)?
            .map_err(HandoverFailure::Usage)?;
        let mut answers = Vec::new();
        for a in addrs {
            let sent = collect(shared, &a).await?;
            let done = sent.installed.is_some();
            answers.push(sent);
            if done {
                break;
            }
        }
        Ok(answers)
    }

    /// `cert install FILE` while running: through the one ingest path.
    pub async fn install_certificate(&self, file: Vec<u8>) -> Result<Installed, InstallError> {
        install(&self.shared, file).await
    }

    /// A certificate for `subject` was written here: its request (if it
    /// came over the network) is answered at the next ask, and a ban for
    /// not being admitted is lifted so that it can connect at once.
    pub async fn certified(&self, subject: NodeId, certificate: String) {
        let marked = self
            .shared
            .ledger
            .read(move |l| cert_inbox::mark_issued(l, &subject, &certificate, clock::now_ms()))
            .await;
        match marked {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "the request was not marked issued"),
            Err(e) => tracing::warn!(error = %e, "the request was not marked issued"),
        }
        if let Some(peer) = super::requests::peer_id_of(&subject) {
            self.shared.net.forgive(peer).await;
        }
    }
}

/// The newcomer's background task: while its request waits somewhere,
/// asks there — after [`FIRST_POLL`], then twice as long each time, up to
/// [`LAST_POLL`] — until the certificate comes back. Sleeps while there is
/// nothing to ask; a new send wakes it.
pub(super) async fn poll_loop(
    shared: Arc<Shared>,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let mut wait = FIRST_POLL;
    loop {
        let sent = shared
            .ledger
            .read(|l| {
                if l.trust_enabled() {
                    cert_outbox::list(l)
                } else {
                    Ok(Vec::new())
                }
            })
            .await;
        let sent = match sent {
            Ok(Ok(sent)) => sent,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the request's addresses could not be read");
                Vec::new()
            }
            Err(_) => return,
        };
        if sent.is_empty() {
            tokio::select! {
                () = shared.outbox_changed.notified() => { wait = FIRST_POLL; continue; }
                _ = stopping.wait_for(|s| *s) => return,
            }
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = shared.outbox_changed.notified() => wait = FIRST_POLL,
            _ = stopping.wait_for(|s| *s) => return,
        }
        wait = (wait * 2).min(LAST_POLL);
        for s in sent {
            match collect(&shared, &s.addr).await {
                Ok(answer) if answer.installed.is_some() => break,
                Ok(answer) => {
                    tracing::debug!(to = %s.addr, answer = %answer.answer, "certificate not ready yet")
                }
                Err(e) => {
                    tracing::debug!(to = %s.addr, error = %e, "asking for the certificate failed")
                }
            }
        }
    }
}
