//! The Atom index of this post's warnings (`GET /api/cap/index.atom`, and
//! `liandong warning export --cap` without an id): the shape public-alert
//! aggregators poll. Each entry links the warning's CAP 1.2 alert; an
//! export can also carry each alert inline in `<content>`, so that another
//! post imports the whole file with `liandong warning import`.

use std::io::{self, Cursor};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

/// What the feed says about itself.
#[derive(Debug)]
pub struct Feed<'a> {
    /// A stable IRI for this post's feed.
    pub id: &'a str,
    pub title: &'a str,
    /// The feed's own address, when known (a `rel="self"` link).
    pub self_link: Option<&'a str>,
    pub updated: &'a str,
}

/// One warning in the feed.
#[derive(Debug)]
pub struct FeedEntry {
    /// A stable IRI for the warning.
    pub id: String,
    pub title: String,
    /// RFC 3339, the time of the message in force.
    pub updated: String,
    pub author: String,
    pub summary: String,
    /// The warning's colour, or `ungraded`.
    pub category: String,
    /// Where its CAP alert is served, when it is.
    pub link: Option<String>,
    /// The CAP alert itself, inline (without an XML declaration).
    pub inline: Option<String>,
}

/// The MIME type CAP alerts are served and linked with.
pub const CAP_MIME: &str = "application/cap+xml";

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

pub fn write_feed(feed: &Feed<'_>, entries: &[FeedEntry]) -> String {
    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    // Writing into memory cannot fail; a failure would mean a bug in the
    // writer, and an empty answer is then safer than a half feed.
    match write(&mut w, feed, entries) {
        Ok(()) => String::from_utf8(w.into_inner().into_inner()).unwrap_or_default(),
        Err(e) => {
            tracing::error!(error = %e, "atom feed not written");
            String::new()
        }
    }
}

fn write(
    w: &mut Writer<Cursor<Vec<u8>>>,
    feed: &Feed<'_>,
    entries: &[FeedEntry],
) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("feed")
        .with_attribute(("xmlns", ATOM_NS))
        .write_inner_content(|w| {
            text(w, "id", feed.id)?;
            text(w, "title", feed.title)?;
            text(w, "updated", feed.updated)?;
            if let Some(href) = feed.self_link {
                w.create_element("link")
                    .with_attribute(("rel", "self"))
                    .with_attribute(("href", href))
                    .write_empty()?;
            }
            for e in entries {
                entry(w, e)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn entry(w: &mut Writer<Cursor<Vec<u8>>>, e: &FeedEntry) -> io::Result<()> {
    w.create_element("entry").write_inner_content(|w| {
        text(w, "id", &e.id)?;
        text(w, "title", &e.title)?;
        text(w, "updated", &e.updated)?;
        w.create_element("author")
            .write_inner_content(|w| text(w, "name", &e.author))?;
        w.create_element("category")
            .with_attribute(("term", e.category.as_str()))
            .write_empty()?;
        if let Some(href) = &e.link {
            w.create_element("link")
                .with_attribute(("rel", "alternate"))
                .with_attribute(("type", CAP_MIME))
                .with_attribute(("href", href.as_str()))
                .write_empty()?;
        }
        text(w, "summary", &e.summary)?;
        if let Some(xml) = &e.inline {
            w.create_element("content")
                .with_attribute(("type", CAP_MIME))
                .write_inner_content(|w| {
                    // Already well-formed XML from the CAP writer: written
                    // as markup, not as escaped text.
                    w.write_event(Event::Text(BytesText::from_escaped(without_declaration(
                        xml,
                    ))))
                })?;
        }
        Ok(())
    })?;
    Ok(())
}

fn text(w: &mut Writer<Cursor<Vec<u8>>>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

/// The document without its `<?xml …?>` line, to nest it in another.
fn without_declaration(xml: &str) -> &str {
    let t = xml.trim_start();
    match t
        .strip_prefix("<?xml")
        .and_then(|rest| rest.find("?>").map(|i| &rest[i + 2..]))
    {
        Some(rest) => rest.trim_start(),
        None => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::Reader;

    fn entry(inline: Option<&str>) -> FeedEntry {
        FeedEntry {
            id: "urn:liandong:warning:ab".into(),
            title: "沙湾市暴雨橙色预警 <&>".into(),
            updated: "2026-12-02T08:00:00+08:00".into(),
            author: "新疆气象台".into(),
            summary: "预计".into(),
            category: "orange".into(),
            link: Some("http://127.0.0.1:7100/api/cap/ab.xml".into()),
            inline: inline.map(str::to_string),
        }
    }

    /// The feed is well-formed (every start has its end, text escaped),
    /// and an inline alert is markup inside `<content>`.
    #[test]
    fn feed_is_well_formed_with_inline_alerts() {
        let feed = Feed {
            id: "urn:liandong:post:1",
            title: "沙湾市 预警",
            self_link: Some("http://127.0.0.1:7100/api/cap/index.atom"),
            updated: "2026-12-02T08:00:00+08:00",
        };
        let alert = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>x</identifier></alert>";
        let xml = write_feed(&feed, &[entry(None), entry(Some(alert))]);
        assert!(xml.contains("沙湾市暴雨橙色预警 &lt;&amp;&gt;"));
        assert!(xml.contains("<content type=\"application/cap+xml\"><alert xmlns"));
        assert_eq!(xml.matches("<?xml").count(), 1, "one declaration: {xml}");
        let mut reader = Reader::from_str(&xml);
        let (mut depth, mut entries) = (0i32, 0);
        loop {
            match reader.read_event() {
                Ok(Event::Start(s)) => {
                    depth += 1;
                    entries += usize::from(s.name().into_inner() == "entry");
                }
                Ok(Event::End(_)) => depth -= 1,
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed: {e}\n{xml}"),
            }
        }
        assert_eq!((depth, entries), (0, 2));
    }
}
