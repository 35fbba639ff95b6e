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

async fn read_frame<T: AsyncRead + Unpin + Send>(io: &mut T) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes is over the limit of {MAX_FRAME_BYTES}"),
        ));
    }
    let mut buf = vec![0u8; len];
    io.read_exact(&mut buf).await?;
    Ok(buf)
}

async fn write_frame<T: AsyncWrite + Unpin + Send>(io: &mut T, data: &[u8]) -> io::Result<()> {
    if data.len() > MAX_FRAME_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "frame over the limit",
        ));
    }
    io.write_all(&(data.len() as u32).to_be_bytes()).await?;
    io.write_all(data).await?;
    io.flush().await
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

impl request_response::Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = Sized<Request>;
    type Response = Sized<Response>;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Self::Request>
    where
        T: AsyncRead + Unpin + Send,
    {
        let frame = read_frame(io).await?;
        let value = Request::decode(&frame).map_err(invalid)?;
        Ok(Sized {
            value,
            bytes: frame.len() + 4,
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
        let frame = read_frame(io).await?;
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
        let bytes = req.value.encode().map_err(invalid)?;
        write_frame(io, &bytes).await
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
        write_frame(io, &bytes).await
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
        let req = sized_request(Request::Fetch { ids: vec![] });
        codec
            .write_request(&PROTOCOL, &mut buf, req.clone())
            .await
            .expect("write");
        let mut read = Cursor::new(buf.into_inner());
        let back = codec
            .read_request(&PROTOCOL, &mut read)
            .await
            .expect("read");
        assert_eq!(back.value, req.value);
        assert_eq!(back.bytes, req.bytes);

        let mut hostile = Cursor::new(u32::MAX.to_be_bytes().to_vec());
        let err = codec
            .read_request(&PROTOCOL, &mut hostile)
            .await
            .expect_err("too large");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);

        let mut garbage =
            Cursor::new([3u32.to_be_bytes().to_vec(), vec![0xff, 0xff, 0xff]].concat());
        assert!(codec.read_request(&PROTOCOL, &mut garbage).await.is_err());
    }
}
