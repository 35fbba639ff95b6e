//! A [`CapAlert`] written as CAP 1.2 (`urn:oasis:names:tc:emergency:cap:1.2`),
//! elements in the order `cap12.xsd` gives them, optional elements left
//! out when empty, times as `YYYY-MM-DDThh:mm:ss±hh:mm` with the offset
//! the alert was read with. Whatever was read, writes: the reader refuses
//! what CAP 1.2 could not carry. Text is escaped by quick-xml; a carriage
//! return is written `&#13;` (a raw one would read back as a line feed)
//! and a character XML cannot carry at all (only possible in text from
//! outside XML, e.g. a native warning) is written as U+FFFD.

use std::io;

use liandong_protocol::domain::cap::{CapAlert, CapArea, CapInfo, CapResource, CapTime, CapValue};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::fields::CAP12_NS;
use super::geo;
use super::time;

type Out = Writer<Vec<u8>>;

/// The alert as a CAP 1.2 document.
pub fn write_alert(alert: &CapAlert) -> String {
    let mut out = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into memory cannot fail: the only errors a Vec<u8> writer
    // returns are the sink's, and a Vec's never fails.
    document(&mut out, alert).expect("writing CAP into memory");
    let mut text = String::from_utf8_lossy(&out.into_inner()).into_owned();
    text.push('\n');
    text
}

fn document(out: &mut Out, a: &CapAlert) -> io::Result<()> {
    out.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    out.write_event(Event::Start(
        BytesStart::new("alert").with_attributes([("xmlns", CAP12_NS)]),
    ))?;
    text(out, "identifier", &a.identifier)?;
    text(out, "sender", &a.sender)?;
    time_element(out, "sent", Some(a.sent))?;
    text(out, "status", a.status.name())?;
    text(out, "msgType", a.msg_type.name())?;
    optional(out, "source", &a.source)?;
    text(out, "scope", a.scope.name())?;
    optional(out, "restriction", &a.restriction)?;
    optional(out, "addresses", &a.addresses)?;
    for code in &a.codes {
        text(out, "code", code)?;
    }
    optional(out, "note", &a.note)?;
    let references: Vec<String> = a
        .references
        .iter()
        .map(|r| format!("{},{},{}", r.sender, r.identifier, r.sent))
        .collect();
    optional(out, "references", &references.join(" "))?;
    optional(out, "incidents", &a.incidents)?;
    for i in &a.infos {
        info(out, i)?;
    }
    out.write_event(Event::End(BytesEnd::new("alert")))
}

fn info(out: &mut Out, i: &CapInfo) -> io::Result<()> {
    open(out, "info")?;
    text(out, "language", &i.language)?;
    for c in &i.categories {
        text(out, "category", c.name())?;
    }
    text(out, "event", &i.event)?;
    for r in &i.response_types {
        text(out, "responseType", r.name())?;
    }
    text(out, "urgency", i.urgency.name())?;
    text(out, "severity", i.severity.name())?;
    text(out, "certainty", i.certainty.name())?;
    optional(out, "audience", &i.audience)?;
    pairs(out, "eventCode", &i.event_codes)?;
    time_element(out, "effective", i.effective)?;
    time_element(out, "onset", i.onset)?;
    time_element(out, "expires", i.expires)?;
    optional(out, "senderName", &i.sender_name)?;
    optional(out, "headline", &i.headline)?;
    optional(out, "description", &i.description)?;
    optional(out, "instruction", &i.instruction)?;
    optional(out, "web", &i.web)?;
    optional(out, "contact", &i.contact)?;
    pairs(out, "parameter", &i.parameters)?;
    for r in &i.resources {
        resource(out, r)?;
    }
    for a in &i.areas {
        area(out, a)?;
    }
    close(out, "info")
}

fn resource(out: &mut Out, r: &CapResource) -> io::Result<()> {
    open(out, "resource")?;
    text(out, "resourceDesc", &r.description)?;
    text(out, "mimeType", &r.mime_type)?;
    if let Some(size) = r.size {
        text(out, "size", &size.to_string())?;
    }
    optional(out, "uri", &r.uri)?;
    optional(out, "digest", &r.digest)?;
    close(out, "resource")
}

fn area(out: &mut Out, a: &CapArea) -> io::Result<()> {
    open(out, "area")?;
    text(out, "areaDesc", &a.description)?;
    for p in &a.polygons {
        text(out, "polygon", &geo::write_polygon(p))?;
    }
    for c in &a.circles {
        text(out, "circle", &geo::write_circle(c))?;
    }
    pairs(out, "geocode", &a.geocodes)?;
    optional(out, "altitude", &a.altitude)?;
    optional(out, "ceiling", &a.ceiling)?;
    close(out, "area")
}

fn pairs(out: &mut Out, name: &str, values: &[CapValue]) -> io::Result<()> {
    for v in values {
        open(out, name)?;
        text(out, "valueName", &v.name)?;
        text(out, "value", &v.value)?;
        close(out, name)?;
    }
    Ok(())
}

fn open(out: &mut Out, name: &str) -> io::Result<()> {
    out.write_event(Event::Start(BytesStart::new(name)))
}

fn close(out: &mut Out, name: &str) -> io::Result<()> {
    out.write_event(Event::End(BytesEnd::new(name)))
}

fn time_element(out: &mut Out, name: &str, t: Option<CapTime>) -> io::Result<()> {
    match t {
        Some(t) => text(out, name, &time::format(t)),
        None => Ok(()),
    }
}

fn optional(out: &mut Out, name: &str, value: &str) -> io::Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    text(out, name, value)
}

fn text(out: &mut Out, name: &str, value: &str) -> io::Result<()> {
    out.create_element(name)
        .write_text_content(BytesText::from_escaped(escape(value)))?;
    Ok(())
}

/// quick-xml's escaping, plus what it leaves alone: `\r`, and characters
/// XML 1.0 cannot carry.
fn escape(value: &str) -> String {
    let clean: String = value
        .chars()
        .map(|c| match c {
            '\t'
            | '\n'
            | '\r'
            | '\u{20}'..='\u{D7FF}'
            | '\u{E000}'..='\u{FFFD}'
            | '\u{10000}'.. => c,
            _ => '\u{FFFD}',
        })
        .collect();
    quick_xml::escape::escape(clean.as_str()).replace('\r', "&#13;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_xml_needs() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(escape("x\r\ny"), "x&#13;\ny");
        assert_eq!(escape("bell\u{7}"), "bell\u{FFFD}");
    }
}
