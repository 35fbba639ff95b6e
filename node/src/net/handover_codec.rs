//! The request-response codec for `/liandong/cert-request/1`
//! (`liandong_protocol::trust::handover`): the frames of `codec.rs`, with
//! this protocol's own limits — an ask is at most
//! [`MAX_ASK_FRAME_BYTES`], an answer at most [`MAX_ANSWER_FRAME_BYTES`],
//! each checked by the writer and by the reader before it allocates.
//!
//! Its asks come from posts that are not admitted (a newcomer has no
//! certificate yet), so a malformed one travels up as a value, for the
//! event loop to refuse and count against the connection, like a sync frame.

use std::io;

use futures::{AsyncRead, AsyncWrite};
use liandong_protocol::trust::handover::{
    CERT_REQUEST_PROTOCOL, CertAnswer, CertAsk, MAX_ANSWER_FRAME_BYTES, MAX_ASK_FRAME_BYTES,
};
use libp2p::StreamProtocol;
use libp2p::request_response;

use super::codec::{MalformedFrame, invalid, read_body, read_frame, read_len, write_frame};

pub const PROTOCOL: StreamProtocol = StreamProtocol::new(CERT_REQUEST_PROTOCOL);

/// An inbound ask, or why its frame could not be read.
pub type AskFrame = Result<CertAsk, MalformedFrame>;

#[derive(Debug, Clone, Copy, Default)]
pub struct HandoverCodec;

impl request_response::Codec for HandoverCodec {
    type Protocol = StreamProtocol;
    type Request = AskFrame;
    type Response = CertAnswer;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<AskFrame>
    where
        T: AsyncRead + Unpin + Send,
    {
        let len = match read_len(io, MAX_ASK_FRAME_BYTES).await? {
            Ok(len) => len,
            Err(e) => return Ok(Err(e)),
        };
        let frame = read_body(io, len).await?;
        Ok(CertAsk::decode(&frame).map_err(|e| MalformedFrame::Undecodable(e.to_string())))
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<CertAnswer>
    where
        T: AsyncRead + Unpin + Send,
    {
        let frame = read_frame(io, MAX_ANSWER_FRAME_BYTES).await?;
        CertAnswer::decode(&frame).map_err(invalid)
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        ask: AskFrame,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let ask = ask.map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        let bytes = ask.encode().map_err(invalid)?;
        write_frame(io, &bytes, MAX_ASK_FRAME_BYTES).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        answer: CertAnswer,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let bytes = answer.encode().map_err(invalid)?;
        write_frame(io, &bytes, MAX_ANSWER_FRAME_BYTES).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::io::Cursor;
    use libp2p::request_response::Codec;

    /// A frame of `len` bytes: its length prefix, then `len` zero bytes.
    fn frame(len: usize) -> Vec<u8> {
        [(len as u32).to_be_bytes().to_vec(), vec![0u8; len]].concat()
    }

    #[tokio::test]
    async fn the_ask_limit_holds_at_its_boundary_on_both_sides() {
        let mut codec = HandoverCodec;
        // Exactly the limit: read (and then found undecodable, as a value).
        let mut at = Cursor::new(frame(MAX_ASK_FRAME_BYTES));
        let read = codec.read_request(&PROTOCOL, &mut at).await.expect("read");
        assert!(
            matches!(read, Err(MalformedFrame::Undecodable(_))),
            "{read:?}"
        );
        // One byte more: refused from its length alone, the body unread.
        let mut over = Cursor::new(frame(MAX_ASK_FRAME_BYTES + 1));
        let read = codec
            .read_request(&PROTOCOL, &mut over)
            .await
            .expect("read");
        assert_eq!(
            read,
            Err(MalformedFrame::TooLarge {
                len: MAX_ASK_FRAME_BYTES + 1,
                max: MAX_ASK_FRAME_BYTES
            })
        );
        assert_eq!(over.position(), 4, "nothing past the length was read");

        // The writer keeps the same limit: the largest request file a
        // newcomer may sign goes out and comes back whole.
        let largest = CertAsk::Submit {
            request: vec![1; liandong_protocol::trust::request::MAX_REQUEST_BYTES],
        };
        let mut out = Cursor::new(Vec::new());
        codec
            .write_request(&PROTOCOL, &mut out, Ok(largest.clone()))
            .await
            .expect("write");
        let mut back = Cursor::new(out.into_inner());
        assert_eq!(
            codec
                .read_request(&PROTOCOL, &mut back)
                .await
                .expect("read"),
            Ok(largest)
        );
    }

    #[tokio::test]
    async fn an_answer_over_its_limit_is_neither_written_nor_read() {
        let mut codec = HandoverCodec;
        let mut at = Cursor::new(frame(MAX_ANSWER_FRAME_BYTES + 1));
        assert!(codec.read_response(&PROTOCOL, &mut at).await.is_err());
        let huge = CertAnswer::Issued {
            file: vec![0; MAX_ANSWER_FRAME_BYTES],
        };
        let mut out = Cursor::new(Vec::new());
        assert!(
            codec
                .write_response(&PROTOCOL, &mut out, huge)
                .await
                .is_err()
        );
        assert!(out.into_inner().is_empty(), "nothing sent");
    }
}
