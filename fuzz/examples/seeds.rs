//! Writes the seed corpus, `fuzz/corpus/<target>/`, from the golden
//! vectors and from real encodings: one signed entry of every kind, every
//! request and response variant, a genesis, a certificate request and
//! file (also as handed over the network), bundles, configs, a key file, region codes and negentropy
//! messages. Deterministic (fixed keys and times, ed25519 signatures are
//! deterministic), so rerunning it changes nothing unless a format moved.
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example seeds
//!
//! The corpus directory is owned by this program: it is rewritten whole.

#[path = "../../protocol/tests/world/mod.rs"]
mod world;

use std::fs;
use std::path::{Path, PathBuf};

use liandong_fuzz::shapes::{Choice, Shapes};
use liandong_fuzz::{LIMITS, NOW_MS, SNAPSHOT_FILE, T0_MS, keypair};
use liandong_node::config::{Config, PostConfig};
use liandong_node::domain::snapshot;
use liandong_node::identity::key_file_text;
use liandong_protocol::bundle::{MAGIC, Manifest};
use liandong_protocol::codec;
use liandong_protocol::domain::*;
use liandong_protocol::ids::ContentHash;
use liandong_protocol::net::{Hello, Notice, RefusalReason, Request, Response};
use liandong_protocol::restricted::{
    AgreementSecret, Audience, KeyAnnouncement, SealContext, seal,
};
use liandong_protocol::sync::{ItemSet, Reconciliation, respond};
use liandong_protocol::trust::handover::{CertAnswer, CertAsk, HandoverRefusal};
use liandong_protocol::trust::{
    CertFile, CertRequest, Certificate, Equivocation, Genesis, Revocation, Root, SignedGenesis,
};
use liandong_protocol::{
    AuthorityPolicy, Body, Draft, EntryId, Hlc, Interest, Keypair, Kind, LedgerDigest, Level, Note,
    PostProfile, RegionCode, ResponseLevel, Role, Selector, SignedEntry, Status, UnitType,
    ValidationContext, validate,
};
use world::*;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

struct Seeds {
    target: &'static str,
    count: usize,
}

impl Seeds {
    fn new(target: &'static str) -> Seeds {
        let dir = corpus().join(target);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create corpus dir");
        Seeds { target, count: 0 }
    }

    fn add(&mut self, name: &str, bytes: &[u8]) {
        self.count += 1;
        let path = corpus()
            .join(self.target)
            .join(format!("{:02}-{name}", self.count));
        fs::write(path, bytes).expect("write seed");
    }
}

impl Drop for Seeds {
    fn drop(&mut self) {
        println!("{:>14}: {} seeds", self.target, self.count);
    }
}

/// One body of every known kind, with optional fields filled in where it
/// widens what the decoder sees.
fn bodies(w: &World, equivocation: Equivocation) -> Vec<Body> {
    let id = EntryId([1; 32]);
    let mut full = flood_report(Phase::Update, Some(id), 5);
    full.point = Some(GeoPoint {
        lat_e6: 44_330_000,
        lon_e6: 85_620_000,
    });
    full.economic_loss_wan = Some(120);
    full.attachments = vec![Attachment {
        hash: ContentHash::of(b"photo.jpg"),
        name: "现场.jpg".into(),
        media_type: "image/jpeg".into(),
        bytes: 9,
    }];
    vec![
        Body::PostProfile(PostProfile {
            name: "西戈壁镇应急管理办公室".into(),
            level: Level::Township,
            region: rc("654203106"),
            unit_type: UnitType::Command,
            contact: "0993-1234567".into(),
        }),
        Body::Note(Note {
            text: "西戈壁村：河水漫过村道，已转移12户。".into(),
        }),
        Body::Certificate(certificate(w.village.id())),
        Body::Revocation(Revocation {
            subject: w.stranger.id(),
            reason: "密钥丢失 / key lost".into(),
        }),
        Body::Equivocation(equivocation),
        report(Phase::Initial, None),
        Body::IncidentReport(Box::new(full)),
        decision(ResponseAction::Activate, id, ResponseLevel::IV),
        Body::Warning(Box::new(Warning::Issue {
            drill: None,
            info: warning_info(WarningColor::Red, "654203", 0, 60),
        })),
        request(Some(id), 2),
        offer(None, 4),
        commit(id, id, 1),
        status(id, DeploymentStatus::Delivered),
        task(Some(id), vec![w.village.id()], Some(30)),
        task_update(id, TaskState::Refused, "无可用力量"),
        Body::Plan(Box::new(PlanRecord {
            plan: None,
            title: "沙湾市防汛抗旱应急预案".into(),
            version: "2024".into(),
            events: vec![EventType::new(Category::Natural, "flood_drought")],
            region: rc("654203"),
            summary: String::new(),
            document: Some(Attachment {
                hash: ContentHash::of(b"plan.pdf"),
                name: "预案.pdf".into(),
                media_type: "application/pdf".into(),
                bytes: 8,
            }),
            review_due_ms: at(1000),
        })),
        Body::PlanApproval(Box::new(PlanApproval {
            plan: id,
            version: id,
            kind: PlanApprovalKind::File,
            note: String::new(),
        })),
        Body::PlanActivation(Box::new(PlanActivation {
            plan: id,
            incident: id,
            drill: None,
            note: String::new(),
        })),
        Body::DrillStart(Box::new(DrillStart {
            name: "防汛演练".into(),
            scenario: String::new(),
            region: rc("654203"),
            plan: Some(id),
        })),
        Body::DrillEnd(Box::new(DrillEnd {
            drill: id,
            summary: String::new(),
        })),
        Body::Consultation(Box::new(Consultation {
            incident: id,
            drill: None,
            topic: "汛情会商".into(),
            participants: vec!["水利".into()],
            assessment: "仍有强降雨".into(),
            decisions: String::new(),
        })),
        Body::InfoRelease(Box::new(InfoRelease {
            incident: id,
            drill: None,
            channel: "政府网站".into(),
            headline: "汛情通报".into(),
            text: "西戈壁村转移群众 37 人".into(),
        })),
        Body::AgreementKey(KeyAnnouncement {
            key: AgreementSecret::from_seed([0x22; 32]).public(),
            number: 1,
        }),
        Body::Restricted(Box::new(restricted(w))),
    ]
}

/// A note sealed for one fixed key. The seeds need it valid, not
/// readable, so the seal context need not match the entry it lands in.
fn restricted(w: &World) -> liandong_protocol::restricted::Sealed {
    let ctx = SealContext {
        network: liandong_fuzz::network(),
        author: w.county.id(),
        seq: 1,
    };
    let note = codec::encode(&Note {
        text: "伤亡名单（受限）".into(),
    })
    .expect("note");
    let audience = Audience::Region {
        region: rc("654203"),
        min_level: Level::County,
    };
    let keys = [AgreementSecret::from_seed([0x22; 32]).public()];
    seal(&ctx, Kind::NOTE, &note, &audience, &keys, [0x33; 32]).expect("seal")
}

fn certificate(subject: liandong_protocol::NodeId) -> Certificate {
    Certificate {
        subject,
        name: "西戈壁村".into(),
        level: Level::Village,
        region: rc("654203106201"),
        unit_type: UnitType::Command,
        roles: vec![Role::new("warning_issuer")],
        can_certify: false,
        cooperates: vec![rc("654203106202")],
        valid_from_ms: T0_MS,
        valid_until_ms: Some(T0_MS + 365 * 24 * 3_600_000),
    }
}

fn name(kind: Kind) -> String {
    kind.name().unwrap_or("unknown").to_string()
}

fn golden(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../protocol/tests/golden")
        .join(name);
    let text = fs::read_to_string(&path).expect("golden vector");
    hex::decode(text.trim()).expect("golden hex")
}

fn main() {
    let w = World::new();
    let fork_a = w.write_full(
        &w.town,
        Hlc::new(at(1), 0),
        rc("654203106"),
        Status::Actual,
        note_body("a"),
    );
    let fork_b = SignedEntry::sign(
        &w.town.key,
        Draft {
            network: liandong_fuzz::network(),
            seq: fork_a.seq(),
            prev: None,
            hlc: Hlc::new(at(2), 0),
            scope: rc("654203106"),
            status: Status::Actual,
            body: note_body("b"),
            operator: None,
        },
    )
    .expect("sign");
    let all = bodies(
        &w,
        Equivocation::new(fork_a.wire().to_vec(), fork_b.wire().to_vec()),
    );
    let entries: Vec<SignedEntry> = all
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let status = [Status::Actual, Status::Exercise, Status::Test][i % 3];
            w.write_full(
                &w.county,
                Hlc::new(at(10 + i as u64), 1),
                rc("654203"),
                status,
                body.clone(),
            )
        })
        .collect();

    // Seeds start deep only if they are valid: check that here.
    for e in &entries {
        let checked = validate(e.wire(), &liandong_fuzz::ctx());
        assert_eq!(checked.as_ref(), Ok(e), "{:?}", e.kind());
    }

    // Entries: the golden vectors, then one of every kind.
    for target in ["validate", "entry_stored"] {
        let mut s = Seeds::new(target);
        s.add("golden-profile", &golden("profile.entry.hex"));
        s.add("golden-note", &golden("note.entry.hex"));
        s.add("golden-note-entered", &golden("note_entered.entry.hex"));
        s.add("golden-agreement-key", &golden("agreement_key.entry.hex"));
        s.add("golden-restricted", &golden("restricted.entry.hex"));
        for e in &entries {
            s.add(&name(e.kind()), e.wire());
        }
    }

    // Bodies: the kind's index in `Kind::KNOWN`, then the body bytes; and
    // one unknown kind.
    {
        let mut s = Seeds::new("body");
        for body in &all {
            let (kind, bytes) = body.encode().expect("encode");
            let index = Kind::KNOWN.iter().position(|k| *k == kind).expect("known") as u8;
            s.add(&name(kind), &[&[index][..], &bytes].concat());
        }
        s.add(
            "unknown-kind",
            &[&[0xff, 0x01, 0xf4][..], b"opaque"].concat(),
        );
    }

    // Frames.
    let profile = entries[0].wire().to_vec();
    let cert_entry = entries[2].wire().to_vec();
    let hello = Hello {
        network: liandong_fuzz::network(),
        node: w.county.id(),
        region: rc("654203"),
        interest: Interest::of_post(&rc("654203"), &[rc("654202")]),
        profile: Some(profile.clone()),
        newest: Hlc::new(at(30), 2),
        chain: Some(vec![cert_entry.clone()]),
        for_you: vec![cert_entry.clone()],
    };
    // Reconciliation messages between the sync target's item set and a
    // peer's that lacks every seventh item and has 40 of its own, in the
    // smallest frames and in larger ones.
    let a = liandong_fuzz::sync_items(0, 0);
    let b = liandong_fuzz::sync_items(7, 40);
    let set = |items: &[(Hlc, EntryId)]| ItemSet::new(items).expect("items");
    let mut sync_seeds = Vec::new();
    for limit in [4096u32, 65536] {
        let (_, first_b) = Reconciliation::start(set(&b), limit as usize).expect("start");
        let (_, first_a) = Reconciliation::start(set(&a), limit as usize).expect("start");
        let answer_b = respond(&set(&b), &first_a, limit as usize).expect("respond");
        sync_seeds.push((limit, first_b, answer_b));
    }
    let (_, first_b, answer_b) = sync_seeds[0].clone();
    {
        let mut s = Seeds::new("request");
        let requests = [
            ("hello", Request::Hello(hello.clone())),
            (
                "reconcile",
                Request::Reconcile {
                    session: 7,
                    interest: hello.interest.clone(),
                    message: first_b.clone(),
                    frame_limit: 4096,
                },
            ),
            (
                "fetch",
                Request::Fetch {
                    prefixes: vec![[1; 8], [2; 8]],
                    max_bytes: 65536,
                },
            ),
            (
                "fetch-chain",
                Request::FetchChain {
                    author: w.county.id(),
                    from: 2,
                    to: 9,
                },
            ),
            (
                "push",
                Request::Push {
                    entries: entries.iter().take(3).map(|e| e.wire().to_vec()).collect(),
                },
            ),
            (
                "chain",
                Request::Chain {
                    node: w.village.id(),
                },
            ),
            (
                "offer",
                Request::Offer {
                    prefixes: vec![[3; 8]],
                },
            ),
            (
                "notice",
                Request::Notice(Notice::Banned {
                    until_ms: NOW_MS + 3_600_000,
                    reason: "forged entries / 伪造条目".into(),
                }),
            ),
        ];
        for (n, r) in requests {
            s.add(n, &r.encode().expect("encode"));
        }
    }
    {
        let mut s = Seeds::new("response");
        let responses = [
            ("hello", Response::Hello(hello.clone())),
            (
                "reconcile",
                Response::Reconcile {
                    message: answer_b.clone(),
                },
            ),
            (
                "entries",
                Response::Entries {
                    entries: vec![profile.clone(), cert_entry.clone()],
                },
            ),
            (
                "pushed",
                Response::Pushed {
                    added: 3,
                    rejected: 1,
                },
            ),
            (
                "refused",
                Response::Refused {
                    reason: RefusalReason::Throttled,
                    detail: "慢一点".into(),
                },
            ),
            (
                "wanted",
                Response::Wanted {
                    indexes: vec![0, 2, 5],
                },
            ),
            ("noted", Response::Noted),
        ];
        for (n, r) in responses {
            s.add(n, &r.encode().expect("encode"));
        }
    }
    {
        let mut s = Seeds::new("sync");
        for (limit, first_b, answer_b) in &sync_seeds {
            let limit = limit.to_le_bytes();
            s.add("respond-initiate", &[&[0][..], &limit, first_b].concat());
            s.add("step-answer", &[&[1][..], &limit, answer_b].concat());
        }
    }

    // Trust files.
    let root = &w.nation;
    let mut genesis = Genesis::new(
        "测试网",
        T0_MS,
        Root {
            key: root.id(),
            name: "国家应急指挥中心".into(),
            roles: vec![Role::new("warning_issuer")],
        },
        RegionCode::national(),
        LIMITS,
    );
    genesis.roots.push(Root {
        key: w.province.id(),
        name: "备用根".into(),
        roles: Vec::new(),
    });
    genesis.policy = AuthorityPolicy::default();
    let signed = SignedGenesis::sign(genesis.clone(), &root.key).expect("genesis");
    {
        let mut s = Seeds::new("genesis");
        s.add("file", &[&[0][..], &signed.to_file_bytes()].concat());
        s.add("signed", &[&[1][..], signed.bytes()].concat());
        s.add(
            "bare",
            &[&[2][..], &codec::encode(&genesis).expect("encode")].concat(),
        );
    }
    let newcomer = Keypair::from_secret([0x33; 32]);
    let cert_request = CertRequest {
        network: signed.network_id(),
        subject: newcomer.node_id(),
        name: "西戈壁村".into(),
        level: Level::Village,
        region: rc("654203106201"),
        unit_type: UnitType::Command,
        contact: "13800000000".into(),
        created_ms: T0_MS + 5,
        since_ms: T0_MS,
    };
    {
        let mut s = Seeds::new("cert_request");
        s.add(
            "file",
            &[&[0][..], &cert_request.sign(&newcomer).expect("sign")].concat(),
        );
        s.add(
            "bare",
            &[&[1][..], &codec::encode(&cert_request).expect("encode")].concat(),
        );
    }
    let cert_file = {
        // A chain in the genesis's network: the root certifies the newcomer.
        let cert = SignedEntry::sign(
            &root.key,
            Draft {
                network: signed.network_id(),
                seq: 1,
                prev: None,
                hlc: Hlc::new(at(3), 0),
                scope: rc("654203106201"),
                status: Status::Actual,
                body: Body::Certificate(certificate(newcomer.node_id())),
                operator: None,
            },
        )
        .expect("sign");
        let ctx = ValidationContext {
            network: signed.network_id(),
            ..liandong_fuzz::ctx()
        };
        validate(cert.wire(), &ctx).expect("the chain validates");
        let file = CertFile::new(signed.bytes().to_vec(), vec![cert.into_wire()]);
        let mut s = Seeds::new("cert_file");
        s.add("file", &file.to_file_bytes().expect("encode"));
        file
    };
    {
        // The same request and file handed over the network: mode 0 asks,
        // else answers (`/liandong/cert-request/1`).
        let mut s = Seeds::new("handover");
        let asks = [
            (
                "submit",
                CertAsk::Submit {
                    request: cert_request.sign(&newcomer).expect("sign"),
                },
            ),
            (
                "poll",
                CertAsk::Poll {
                    subject: newcomer.node_id(),
                },
            ),
        ];
        for (name, ask) in asks {
            s.add(name, &[&[0][..], &ask.encode().expect("encode")].concat());
        }
        let answers = [
            ("received", CertAnswer::Received { waiting: 3 }),
            ("pending", CertAnswer::Pending),
            ("unknown", CertAnswer::Unknown),
            (
                "issued",
                CertAnswer::Issued {
                    file: cert_file.to_file_bytes().expect("encode"),
                },
            ),
            (
                "refused",
                CertAnswer::refused(HandoverRefusal::Full, "队列已满 / full"),
            ),
        ];
        for (name, answer) in answers {
            s.add(
                name,
                &[&[1][..], &answer.encode().expect("encode")].concat(),
            );
        }
    }

    // Bundles: a whole file for mode 0, entries sections for the modes in
    // which the target signs the manifest.
    let bundle_manifest = {
        let records: Vec<&[u8]> = entries.iter().take(4).map(|e| e.wire()).collect();
        let mut section = Vec::new();
        let mut digest = LedgerDigest::default();
        for r in &records {
            section.extend_from_slice(&(r.len() as u32).to_be_bytes());
            section.extend_from_slice(r);
            digest.add(&EntryId::of_wire_bytes(r));
        }
        let manifest = Manifest {
            network: liandong_fuzz::network(),
            exporter: keypair().node_id(),
            created_ms: NOW_MS,
            scope: rc("654203"),
            since: Some(Hlc::new(at(1), 0)),
            count: records.len() as u64,
            digest,
            content_hash: *blake3::hash(&section).as_bytes(),
        };
        let signed_manifest = manifest.sign(keypair()).expect("sign");
        let file = [
            &MAGIC[..],
            &(signed_manifest.len() as u32).to_be_bytes(),
            &signed_manifest,
            &section,
        ]
        .concat();
        let checked = liandong_node::bundle::check(
            &file[..],
            Path::new("seed"),
            liandong_fuzz::network(),
            LIMITS.max_entry_bytes,
        )
        .expect("the seed bundle checks");
        assert_eq!(checked.entries().len(), records.len());
        let mut s = Seeds::new("bundle");
        s.add("file", &[&[0][..], &file].concat());
        s.add("section-true-count", &[&[0x80][..], &section].concat());
        s.add("section-count-4", &[&[4][..], &section].concat());
        s.add("empty-section", &[0x80]);
        manifest
    };

    // The views' snapshot file: a meta row, a whole file of one record per
    // seed entry, and the same records as one chunk's contents.
    {
        let file = snapshot::in_memory::file_of(&SNAPSHOT_FILE, &entries);
        let decoded = snapshot::in_memory::decode_file(&SNAPSHOT_FILE, &file)
            .expect("the seed snapshot file decodes");
        assert_eq!(decoded.items.len() + decoded.others.len(), entries.len());
        assert_eq!(decoded.chunks, 1, "the seed records fit one chunk");
        // A frame's length (4 bytes), then the chunk's CRC-32 (4 bytes).
        let contents = &file[8..];
        let mut digest = LedgerDigest::default();
        for e in &entries {
            digest.add(&e.id());
        }
        let max_hlc = entries.iter().map(|e| e.hlc()).max().unwrap_or(Hlc::ZERO);
        let mut meta = snapshot::FORMAT.to_be_bytes().to_vec();
        meta.extend_from_slice(&digest.to_bytes());
        meta.extend_from_slice(&SNAPSHOT_FILE);
        for word in [max_hlc.as_u64(), 1, file.len() as u64, entries.len() as u64] {
            meta.extend_from_slice(&word.to_be_bytes());
        }
        assert_eq!(
            snapshot::in_memory::reencode_meta(&meta).as_deref(),
            Ok(&meta[..]),
            "the seed meta row decodes"
        );
        let mut s = Seeds::new("snapshot");
        s.add("meta", &[&[0][..], &meta].concat());
        s.add("file", &[&[1][..], &file].concat());
        s.add("empty-file", &[1]);
        s.add("contents", &[&[2][..], contents].concat());
    }

    // Text files.
    {
        let mut s = Seeds::new("config");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/examples");
        for n in ["county.toml", "village.toml"] {
            s.add(n, &fs::read(root.join(n)).expect("deploy example"));
        }
        let mut c = Config::new(PostConfig {
            name: "西戈壁村".into(),
            level: Level::Village,
            region: rc("654203106201"),
            unit_type: UnitType::Other("志愿服务队".into()),
            contact: "13800000000".into(),
            location: None,
        });
        c.network.cooperate = vec![rc("654203106202")];
        c.network.peers = vec!["/ip4/127.0.0.1/tcp/7401".into()];
        c.console.token = Some("secret".into());
        s.add("init", c.to_toml().as_bytes());
    }
    {
        let mut s = Seeds::new("key_file");
        s.add(
            "key",
            key_file_text(&Keypair::from_secret([0x11; 32])).as_bytes(),
        );
    }
    {
        let mut s = Seeds::new("region");
        for code in ["00", "65", "6542", "654203", "654203106", "654203106201"] {
            s.add(code, code.as_bytes());
        }
        s.add("key", &rc("654203106").key());
        s.add("padded", b" 654203 ");
    }
    {
        let mut s = Seeds::new("parsers");
        let texts = [
            w.county.id().to_hex(),
            "note".into(),
            "预警".into(),
            "county".into(),
            "县级".into(),
            "44.33,85.62".into(),
            "flood_drought".into(),
            "natural/hail".into(),
            "IV".into(),
            "四级".into(),
            "一般".into(),
            "activate".into(),
            "initial".into(),
            "material".into(),
            "red".into(),
        ];
        for (i, t) in texts.iter().enumerate() {
            s.add(&format!("text{i}"), t.as_bytes());
        }
        s.add("digest", &LedgerDigest::default().to_bytes());
    }

    // The codec target: a type byte, a limit byte (255: none), the bytes.
    {
        let mut s = Seeds::new("codec");
        let mut add =
            |ty: u8, name: &str, bytes: Vec<u8>| s.add(name, &[&[ty, 255][..], &bytes].concat());
        let shapes = Shapes {
            byte: 7,
            short: 300,
            word: 70_000,
            long: u64::MAX,
            signed: -5,
            flag: true,
            maybe: Some(1 << 40),
            text: "西戈壁村".into(),
            list: vec![1, 2, 3],
            bytes: vec![4, 5],
            array: [9; 32],
            nested: vec![vec!["a".into()], Vec::new()],
            choice: Choice::Struct {
                a: Some("b".into()),
                b: vec![1, 1 << 20],
            },
            tuple: (65535, '联'),
        };
        add(0, "shapes", codec::encode(&shapes).expect("encode"));
        add(
            1,
            "hlc",
            codec::encode(&Hlc::new(at(5), 3)).expect("encode"),
        );
        add(
            2,
            "region",
            codec::encode(&rc("654203106")).expect("encode"),
        );
        add(
            3,
            "interest",
            codec::encode(&hello.interest).expect("encode"),
        );
        add(5, "hello", codec::encode(&hello).expect("encode"));
        add(
            6,
            "digest",
            codec::encode(&LedgerDigest::default()).expect("encode"),
        );
        add(7, "limits", codec::encode(&LIMITS).expect("encode"));
        add(
            8,
            "policy",
            codec::encode(&AuthorityPolicy::default()).expect("encode"),
        );
        add(
            4,
            "selector",
            codec::encode(&Selector::Exact(rc("6542"))).expect("encode"),
        );
        add(
            9,
            "manifest",
            codec::encode(&bundle_manifest).expect("encode"),
        );
        add(11, "cert-file", codec::encode(&cert_file).expect("encode"));
        add(
            10,
            "root",
            codec::encode(&(genesis.roots[0].clone(), UnitType::Fire)).expect("encode"),
        );
    }
}

fn note_body(text: &str) -> Body {
    Body::Note(Note { text: text.into() })
}
