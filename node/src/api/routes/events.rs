//! `GET /api/events`: live updates by server-sent events. One `entry` event
//! per entry new to this post (written here, or arrived by gossip, sync or
//! bundle), so an open console refreshes what changed; a `lagged` event
//! when this listener fell behind and missed some (the console then
//! reloads everything). The stream ends when the node stops.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::api::ApiState;
use crate::service::events::NewEntry;

/// A comment line this often keeps proxies and the browser from timing out.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub async fn stream(
    State(s): State<ApiState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = s.node.subscribe();
    let stopped = Box::pin(s.node.stopped());
    let events = futures::stream::unfold((rx, stopped), |(mut rx, mut stopped)| async move {
        let next = tokio::select! {
            _ = &mut stopped => return None,
            r = rx.recv() => r,
        };
        let event = match next {
            Ok(entry) => entry_event(&entry),
            Err(RecvError::Lagged(n)) => Event::default().event("lagged").data(n.to_string()),
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(event), (rx, stopped)))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

fn entry_event(e: &NewEntry) -> Event {
    let data = serde_json::json!({
        "id": e.id,
        "author": e.author,
        "kind": e.kind.name().unwrap_or("unknown"),
        "kind_zh": e.kind.name_zh().unwrap_or("未知"),
        "scope": e.scope,
        "time_ms": e.hlc.wall_ms(),
        "local": e.local,
    });
    Event::default().event("entry").data(data.to_string())
}
