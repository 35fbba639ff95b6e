//! An EDXL-RM 1.0 message as an XML document, written with quick-xml's
//! writer (which escapes every text), in the element order of the
//! published schemas: the message header (MessageID … ContactInformation),
//! then ResourceInformation (ResourceInfoElementID, ResponseInformation,
//! Resource, AssignmentInformation, ScheduleInformation).
//!
//! Elements the message schemas declare (the message, its header, and the
//! parts of ResourceInformation) are in the default namespace
//! [`MSG_NS`]; the children of the common types (ContactInformationType,
//! ValueListType, QuantityType, LocationType, IncidentInformationType,
//! ResponseInformationType) are in [`RM_NS`] with the `rm` prefix.

use std::borrow::Cow;
use std::io;

use jiff::Timestamp;
use jiff::tz::{self, TimeZone};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::mapping::{MSG_NS, RM_NS, RM_PREFIX};
use super::message::{Contact, Incident, Message, Quantity, Resource, Schedule, Value};

/// `xs:dateTime` in Beijing time with its offset, to the second:
/// `2026-11-28T16:05:00+08:00`.
pub fn date_time(ms: u64) -> String {
    let ms = i64::try_from(ms).unwrap_or(i64::MAX);
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => ts
            .to_zoned(TimeZone::fixed(tz::offset(8)))
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        // Beyond jiff's range (year 9999): the latest instant it can
        // name, rather than an invalid date.
        Err(_) => "9999-12-31T23:59:59+08:00".to_string(),
    }
}

/// `text` with every character XML 1.0 cannot carry (controls other than
/// tab, newline and carriage return; U+FFFE, U+FFFF) replaced by U+FFFD.
/// Entries may hold them (the protocol bounds text by length, not by
/// alphabet), and one would make the whole document unreadable.
pub fn xml_safe(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

/// The message as a complete XML document (UTF-8, with declaration).
pub fn write(message: &Message) -> io::Result<Vec<u8>> {
    let mut x = Xml(Writer::new_with_indent(Vec::new(), b' ', 2));
    x.0.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let root = message.kind.name();
    x.0.write_event(Event::Start(BytesStart::new(root).with_attributes([
        ("xmlns", MSG_NS),
        (format!("xmlns:{RM_PREFIX}").as_str(), RM_NS),
    ])))?;
    x.text("MessageID", &message.id)?;
    x.text("SentDateTime", &date_time(message.sent_ms))?;
    x.text("MessageContentType", root)?;
    if let Some(d) = &message.description {
        x.text("MessageDescription", d)?;
    }
    x.text("OriginatingMessageID", &message.originating)?;
    if let Some(p) = &message.preceding {
        x.text("PrecedingMessageID", p)?;
    }
    if let Some(i) = &message.incident {
        incident(&mut x, i)?;
    }
    for c in &message.contacts {
        contact(&mut x, "ContactInformation", c)?;
    }
    let info = &message.info;
    x.start("ResourceInformation")?;
    x.text("ResourceInfoElementID", info.element_id)?;
    if let Some(r) = &info.response {
        x.start("ResponseInformation")?;
        x.rm_text("PrecedingResourceInfoElementID", r.preceding_element_id)?;
        x.rm_text("ResponseType", r.kind.name())?;
        x.end("ResponseInformation")?;
    }
    resource(&mut x, &info.resource)?;
    x.start("AssignmentInformation")?;
    quantity(&mut x, &info.quantity)?;
    x.end("AssignmentInformation")?;
    for s in &info.schedules {
        schedule(&mut x, s)?;
    }
    x.end("ResourceInformation")?;
    x.end(root)?;
    let mut bytes = x.0.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

/// quick-xml's writer with the three moves a message needs.
struct Xml(Writer<Vec<u8>>);

impl Xml {
    fn start(&mut self, name: &str) -> io::Result<()> {
        self.0.write_event(Event::Start(BytesStart::new(name)))
    }

    fn end(&mut self, name: &str) -> io::Result<()> {
        self.0.write_event(Event::End(BytesEnd::new(name)))
    }

    fn text(&mut self, name: &str, value: &str) -> io::Result<()> {
        self.0
            .create_element(name)
            .write_text_content(BytesText::new(&xml_safe(value)))
            .map(drop)
    }

    /// A text element of the common types (`rm:` prefix).
    fn rm_text(&mut self, name: &str, value: &str) -> io::Result<()> {
        self.text(&format!("{RM_PREFIX}:{name}"), value)
    }

    fn rm_start(&mut self, name: &str) -> io::Result<()> {
        self.start(&format!("{RM_PREFIX}:{name}"))
    }

    fn rm_end(&mut self, name: &str) -> io::Result<()> {
        self.end(&format!("{RM_PREFIX}:{name}"))
    }
}

fn value_list(x: &mut Xml, name: &str, v: &Value) -> io::Result<()> {
    x.start(name)?;
    x.rm_text("ValueListURN", v.list)?;
    x.rm_text("Value", &v.value)?;
    x.end(name)
}

fn incident(x: &mut Xml, i: &Incident) -> io::Result<()> {
    x.start("IncidentInformation")?;
    x.rm_text("IncidentID", &i.id)?;
    if let Some(d) = &i.description {
        x.rm_text("IncidentDescription", d)?;
    }
    x.end("IncidentInformation")
}

fn contact(x: &mut Xml, name: &str, c: &Contact) -> io::Result<()> {
    x.start(name)?;
    x.rm_text("ContactDescription", &c.description)?;
    if let Some(role) = c.role {
        x.rm_text("ContactRole", role.name())?;
    }
    x.end(name)
}

fn resource(x: &mut Xml, r: &Resource) -> io::Result<()> {
    x.start("Resource")?;
    x.text("Name", &r.name)?;
    value_list(x, "TypeStructure", &r.type_structure)?;
    for k in &r.keywords {
        value_list(x, "Keyword", k)?;
    }
    if let Some(d) = &r.description {
        x.text("Description", d)?;
    }
    if let Some(h) = &r.holder {
        contact(
            x,
            "ResponsibleParty",
            &Contact {
                description: h.clone(),
                role: None,
            },
        )?;
    }
    if let Some(s) = &r.deployment_status {
        x.start("ResourceStatus")?;
        value_list(x, "DeploymentStatus", s)?;
        x.end("ResourceStatus")?;
    }
    x.end("Resource")
}

fn quantity(x: &mut Xml, q: &Quantity) -> io::Result<()> {
    x.start("Quantity")?;
    x.rm_start("MeasuredQuantity")?;
    x.rm_text("Amount", &q.amount.to_string())?;
    x.rm_start("UnitOfMeasure")?;
    x.rm_text("ValueListURN", q.unit.list)?;
    x.rm_text("Value", &q.unit.value)?;
    x.rm_end("UnitOfMeasure")?;
    x.rm_end("MeasuredQuantity")?;
    x.end("Quantity")
}

fn schedule(x: &mut Xml, s: &Schedule) -> io::Result<()> {
    x.start("ScheduleInformation")?;
    x.text("ScheduleType", s.kind.name())?;
    if let Some(at) = s.at_ms {
        x.text("DateTime", &date_time(at))?;
    }
    if let Some(l) = &s.location {
        x.start("Location")?;
        x.rm_text("LocationDescription", l)?;
        x.end("Location")?;
    }
    x.end("ScheduleInformation")
}
