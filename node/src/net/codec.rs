//! The request-response codec for `/liandong/sync/1`: one length-prefixed
//! frame per request or response, the length checked against the limit
//! before anything is allocated, the body decoded by the protocol crate
//! (which checks every count against its limits).

use std::io;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use liandong_protocol::net::{MAX_FRAME_BYTES, Request, Response, SYNC_PROTOCOL};
use libp2p::StreamProtocol;
use libp2p::request_response;

pub const PROTOCOL: StreamProtocol = StreamProtocol::new(SYNC_PROTOCOL);

/// A frame and its size on the wire, so sessions can count their bytes.
#[derive(Debug, Clone)]
pub struct Sized<T> {
    pub value: T,
    pub bytes: usize,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SyncCodec;

/// One request as the codec carries it: outbound, always a request; inbound,
/// a request or why its frame could not be read. request-response drops a
/// failed `read_request` without telling anyone (not even an
/// `InboundFailure`), so a malformed frame travels up as a value, for the
/// event loop to refuse and count against the peer.
pub type RequestFrame = Result<Sized<Request>, MalformedFrame>;

/// Why an inbound request frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MalformedFrame {
    #[error("frame of {len} bytes is over the limit of {max}")]
    TooLarge { len: usize, max: usize },
    #[error("undecodable request: {0}")]
    Undecodable(String),
}

/// Reads a frame's length prefix: `Ok(Err(..))` when it is over `max`
/// (nothing more is read, nothing allocated).
pub(super) async fn read_len<T: AsyncRead + Unpin + Send>(
    io: &mut T,
    max: usize,
) -> io::Result<Result<usize, MalformedFrame>> {
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > max {
        return Ok(Err(MalformedFrame::TooLarge { len, max }));
    }
    Ok(Ok(len))
}

pub(super) async fn read_body<T: AsyncRead + Unpin + Send>(
    io: &mut T,
    len: usize,
) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    io.read_exact(&mut buf).await?;
    Ok(buf)
}

/// Reads a whole frame of at most `max` bytes; a longer one is an error.
pub(super) async fn read_frame<T: AsyncRead + Unpin + Send>(
    io: &mut T,
    max: usize,
) -> io::Result<Vec<u8>> {
    match read_len(io, max).await? {
        Ok(len) => read_body(io, len).await,
        Err(e) => Err(invalid(e)),
    }
}

/// Writes one frame; one over `max` (the reader's limit too) is never sent.
pub(super) async fn write_frame<T: AsyncWrite + Unpin + Send>(
    io: &mut T,
    data: &[u8],
    max: usize,
) -> io::Result<()> {
    if data.len() > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("frame of {} bytes over the limit of {max}", data.len()),
        ));
    }
    io.write_all(&(data.len() as u32).to_be_bytes()).await?;
    io.write_all(data).await?;
    io.flush().await
}

pub(super) fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

impl request_response::Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = RequestFrame;
    type Response = Sized<Response>;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Self::Request>
    where
        T: AsyncRead + Unpin + Send,
    {
        // Io errors (the stream ended early) stay errors: a connection that
        // drops mid-request is no offence.
        let len = match read_len(io, MAX_FRAME_BYTES).await? {
            Ok(len) => len,
            Err(e) => return Ok(Err(e)),
        };
        let frame = read_body(io, len).await?;
        Ok(match Request::decode(&frame) {
            Ok(value) => Ok(Sized {
                value,
                bytes: frame.len() + 4,
            }),
            Err(e) => Err(MalformedFrame::Undecodable(e.to_string())),
        })
    }

    async fn read_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<Self::Response>
    where
        T: AsyncRead + Unpin + Send,
    {
        let frame = read_frame(io, MAX_FRAME_BYTES).await?;
        let value = Response::decode(&frame).map_err(invalid)?;
        Ok(Sized {
            value,
            bytes: frame.len() + 4,
        })
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: Self::Request,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let req = req.map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        let bytes = req.value.encode().map_err(invalid)?;
        write_frame(io, &bytes, MAX_FRAME_BYTES).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: Self::Response,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let bytes = res.value.encode().map_err(invalid)?;
        write_frame(io, &bytes, MAX_FRAME_BYTES).await
    }
}

/// Wraps a request or response with its encoded size (computed once here,
/// so byte counts match what the codec writes).
pub fn sized_request(value: Request) -> Sized<Request> {
    let bytes = value.encode().map(|b| b.len() + 4).unwrap_or(0);
    Sized { value, bytes }
}

pub fn sized_response(value: Response) -> Sized<Response> {
    let bytes = value.encode().map(|b| b.len() + 4).unwrap_or(0);
    Sized { value, bytes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::io::Cursor;
    use libp2p::request_response::Codec;

    #[tokio::test]
    async fn round_trip_and_oversized_frames_refused_before_allocating() {
        let mut codec = SyncCodec;
        let mut buf = Cursor::new(Vec::new());
        let req = sized_request(Request::Fetch {
            prefixes: vec![],
            max_bytes: 4096,
        });
        codec
            .write_request(&PROTOCOL, &mut buf, Ok(req.clone()))
            .await
            .expect("write");
        let mut read = Cursor::new(buf.into_inner());
        let back = codec
            .read_request(&PROTOCOL, &mut read)
            .await
            .expect("read")
            .expect("well-formed");
        assert_eq!(back.value, req.value);
        assert_eq!(back.bytes, req.bytes);

        // Malformed frames come up as values, to be counted against the peer.
        let mut hostile = Cursor::new(u32::MAX.to_be_bytes().to_vec());
        let refused = codec
            .read_request(&PROTOCOL, &mut hostile)
            .await
            .expect("read");
        assert!(
            matches!(refused, Err(MalformedFrame::TooLarge { .. })),
            "{refused:?}"
        );

        let mut garbage =
            Cursor::new([3u32.to_be_bytes().to_vec(), vec![0xff, 0xff, 0xff]].concat());
        let refused = codec
            .read_request(&PROTOCOL, &mut garbage)
            .await
            .expect("read");
        assert!(
            matches!(refused, Err(MalformedFrame::Undecodable(_))),
            "{refused:?}"
        );

        // A stream that ends early is an io error, not an offence.
        let mut short = Cursor::new([9u32.to_be_bytes().to_vec(), vec![1, 2]].concat());
        assert!(codec.read_request(&PROTOCOL, &mut short).await.is_err());
    }
}
