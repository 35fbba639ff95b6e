//! The bounds every CAP document is read within. A document breaking one is
//! refused whole, before or while it is parsed, so hostile input costs at
//! most these amounts of memory and work.

/// Largest CAP document (alert, Atom feed or RSS channel) read, in bytes:
/// checked before parsing. The command line and the HTTP body limit use the
/// same figure. Real alerts embed media (`derefUri`): the largest shared
/// IPAWS fixture is ~450 KB, so 1 MiB leaves room without inviting abuse.
pub const MAX_CAP_BYTES: usize = 1 << 20;

/// Deepest element nesting. A CAP alert is 5 deep (`alert/info/area/
/// geocode/value`), inside an Atom entry 8, an XML signature about 6.
pub const MAX_DEPTH: usize = 32;

/// Most elements in one document. The busiest shared fixture has under
/// 200; an index of alerts inline a few thousand.
pub const MAX_ELEMENTS: usize = 50_000;

/// Longest attribute value, in bytes (namespace URIs, `href`s, signature
/// algorithm names are all far shorter).
pub const MAX_ATTRIBUTE_BYTES: usize = 4 * 1024;

/// Most attributes on one element.
pub const MAX_ATTRIBUTES: usize = 64;

/// Longest text kept from one element, in bytes. Longer text (embedded
/// media in `derefUri`, which is not kept) is only counted; an element
/// whose text is kept and is longer is a problem.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// Most alerts one Atom or RSS index may carry or link.
pub const MAX_INDEX_ENTRIES: usize = 256;

/// Most problems listed one by one; beyond it they are counted.
pub const MAX_PROBLEMS: usize = 500;
