//! A small linkage network for fold tests: posts from the nation down to
//! 西戈壁村, a map-based `Directory` (with certification and revocation
//! times), and a writer that signs entries at chosen times.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use liandong_protocol::domain::fold::{self, DeadlinePolicy, FoldContext, Track, Views};
use liandong_protocol::domain::*;
use liandong_protocol::trust::genesis::Root;
use liandong_protocol::trust::{Certificate, Genesis, SignedGenesis, TrustState};
use liandong_protocol::{
    AuthorityPolicy, Body, Directory, Draft, EntryId, Hlc, Keypair, Level, Limits, NetworkId,
    NodeId, PostInfo, RegionCode, ResponseLevel, Role, SignedEntry, Status, UnitType,
};

/// 2026-11-18 05:46:40 UTC: the flood's day.
pub const T0: u64 = 1_795_000_000_000;
pub const MIN: u64 = 60_000;

pub fn at(minutes: u64) -> u64 {
    T0 + minutes * MIN
}

pub fn rc(code: &str) -> RegionCode {
    code.parse().expect("region")
}

/// A certified post: its key and what the directory says about it.
pub struct Post {
    pub key: Keypair,
    pub info: PostInfo,
}

impl Post {
    pub fn id(&self) -> NodeId {
        self.info.node
    }
}

/// Posts valid from `from` until `revoked` (exclusive).
#[derive(Default)]
pub struct MapDirectory {
    posts: HashMap<NodeId, (Arc<PostInfo>, Hlc, Option<Hlc>)>,
}

impl Directory for MapDirectory {
    fn post_at(&self, node: &NodeId, at: Hlc) -> Option<Arc<PostInfo>> {
        let (info, from, revoked) = self.posts.get(node)?;
        (at >= *from && revoked.is_none_or(|r| at < r)).then(|| Arc::clone(info))
    }
}

pub struct World {
    pub nation: Post,
    pub province: Post,
    pub prefecture: Post,
    pub county: Post,
    pub weather: Post,
    pub fire: Post,
    pub town: Post,
    pub village: Post,
    pub other_county: Post,
    /// A key no directory knows.
    pub stranger: Post,
    pub dir: MapDirectory,
    pub policy: AuthorityPolicy,
    pub deadlines: DeadlinePolicy,
    seqs: RefCell<HashMap<NodeId, (u64, Option<EntryId>)>>,
}

fn post(seed: u8, name: &str, level: Level, region: &str, unit: UnitType, roles: &[&str]) -> Post {
    let key = Keypair::from_secret([seed; 32]);
    let info = PostInfo {
        node: key.node_id(),
        name: name.into(),
        level,
        region: rc(region),
        can_certify: unit == UnitType::Command,
        unit_type: unit,
        roles: roles.iter().map(|r| Role::new(r)).collect(),
        cooperates: Vec::new(),
    };
    Post { key, info }
}

impl World {
    pub fn new() -> World {
        let w = World {
            nation: post(1, "国家", Level::National, "00", UnitType::Command, &[]),
            province: post(2, "新疆", Level::Province, "65", UnitType::Command, &[]),
            prefecture: post(
                3,
                "塔城地区",
                Level::Prefecture,
                "6542",
                UnitType::Command,
                &[],
            ),
            county: post(4, "沙湾市", Level::County, "654203", UnitType::Command, &[]),
            weather: post(
                5,
                "沙湾市气象局",
                Level::County,
                "654203",
                UnitType::Weather,
                &["warning_issuer"],
            ),
            fire: post(
                6,
                "沙湾市消防救援大队",
                Level::County,
                "654203",
                UnitType::Fire,
                &[],
            ),
            town: post(
                7,
                "西戈壁镇",
                Level::Township,
                "654203106",
                UnitType::Command,
                &[],
            ),
            village: post(
                8,
                "西戈壁村",
                Level::Village,
                "654203106201",
                UnitType::Command,
                &[],
            ),
            other_county: post(9, "乌苏市", Level::County, "654202", UnitType::Command, &[]),
            stranger: post(
                10,
                "无名",
                Level::Village,
                "654203106202",
                UnitType::Command,
                &[],
            ),
            dir: MapDirectory::default(),
            policy: AuthorityPolicy::default(),
            deadlines: DeadlinePolicy::default(),
            seqs: RefCell::new(HashMap::new()),
        };
        let mut w = w;
        let infos: Vec<PostInfo> = w.certified().iter().map(|p| p.info.clone()).collect();
        for info in infos {
            w.dir
                .posts
                .insert(info.node, (Arc::new(info), Hlc::ZERO, None));
        }
        w
    }

    fn certified(&self) -> [&Post; 9] {
        [
            &self.nation,
            &self.province,
            &self.prefecture,
            &self.county,
            &self.weather,
            &self.fire,
            &self.town,
            &self.village,
            &self.other_county,
        ]
    }

    /// Revokes a post from `minutes` on.
    pub fn revoke(&mut self, node: NodeId, minutes: u64) {
        if let Some(p) = self.dir.posts.get_mut(&node) {
            p.2 = Some(Hlc::at_wall(at(minutes)));
        }
    }

    /// Grants a role to a post, from the start.
    pub fn grant(&mut self, node: NodeId, role: &str) {
        if let Some(p) = self.dir.posts.get_mut(&node) {
            Arc::make_mut(&mut p.0).roles.push(Role::new(role));
        }
    }

    /// Signs an entry by `p` at `minutes` after T0 (counter 0), scoped to
    /// the post's own region.
    pub fn write(&self, p: &Post, minutes: u64, body: Body) -> SignedEntry {
        self.write_full(
            p,
            Hlc::new(at(minutes), 0),
            p.info.region.clone(),
            Status::Actual,
            body,
        )
    }

    pub fn write_full(
        &self,
        p: &Post,
        hlc: Hlc,
        scope: RegionCode,
        status: Status,
        body: Body,
    ) -> SignedEntry {
        let mut seqs = self.seqs.borrow_mut();
        let (seq, prev) = seqs.entry(p.id()).or_insert((0, None));
        let draft = Draft {
            network: NetworkId::from_name("liandong-test"),
            seq: *seq + 1,
            prev: *prev,
            hlc,
            scope,
            status,
            body,
            operator: None,
        };
        let e = SignedEntry::sign(&p.key, draft).expect("sign");
        *seq += 1;
        *prev = Some(e.id());
        e
    }

    /// The same posts as a network with a genesis: the nation is its root
    /// and every other post holds a certificate from the post above it
    /// (the weather and fire units from the county), all from before T0.
    /// Folding with it must give the views the map directory gives.
    pub fn trust_state(&self) -> TrustState {
        let root = &self.nation;
        let genesis = SignedGenesis::sign(
            Genesis::new(
                "测试网",
                T0 - 24 * 60 * MIN,
                Root {
                    key: root.id(),
                    name: root.info.name.to_string(),
                    roles: root.info.roles.clone(),
                },
                root.info.region.clone(),
                Limits::default(),
            ),
            &root.key,
        )
        .expect("genesis");
        let mut state = TrustState::new(genesis);
        let issued = [
            (&self.nation, &self.province),
            (&self.province, &self.prefecture),
            (&self.prefecture, &self.county),
            (&self.prefecture, &self.other_county),
            (&self.county, &self.weather),
            (&self.county, &self.fire),
            (&self.county, &self.town),
            (&self.town, &self.village),
        ];
        for (i, (issuer, subject)) in issued.into_iter().enumerate() {
            let at = Hlc::new(T0 - 60 * MIN + i as u64, 0);
            let p = &subject.info;
            let cert = Certificate {
                subject: p.node,
                name: p.name.to_string(),
                level: p.level,
                region: p.region.clone(),
                unit_type: p.unit_type.clone(),
                roles: p.roles.clone(),
                can_certify: p.can_certify,
                cooperates: p.cooperates.clone(),
                valid_from_ms: at.wall_ms(),
                valid_until_ms: None,
            };
            let entry = self.write_full(
                issuer,
                at,
                p.region.clone(),
                Status::Actual,
                Body::Certificate(cert),
            );
            state.admit(&entry).expect("admitted");
            state.insert(&entry).expect("inserted");
        }
        state
    }

    pub fn ctx(&self, now_minutes: u64) -> FoldContext<'_> {
        FoldContext {
            directory: &self.dir,
            authority: &self.policy,
            deadlines: &self.deadlines,
            now_ms: at(now_minutes),
        }
    }

    pub fn fold(&self, entries: &[SignedEntry], now_minutes: u64) -> Views {
        fold::fold(
            entries,
            &self.dir,
            &self.policy,
            &self.deadlines,
            at(now_minutes),
        )
    }

    pub fn fold_drill(&self, entries: &[SignedEntry], drill: EntryId, now_minutes: u64) -> Views {
        fold::fold_track(entries, &self.ctx(now_minutes), Track::Drill(drill))
    }
}

/// Why the views left `e` out, if they did.
pub fn invalid_code(v: &Views, e: &SignedEntry) -> Option<fold::ReasonCode> {
    v.invalid
        .iter()
        .find(|x| x.entry == e.id())
        .map(|x| x.reason.code)
}

// ------------------------------------------------------------ body builders

pub fn flood_report(phase: Phase, incident: Option<EntryId>, occurred_min: u64) -> IncidentReport {
    IncidentReport {
        phase,
        incident,
        drill: None,
        title: "西戈壁村洪涝".into(),
        event: EventType::new(Category::Natural, "flood_drought"),
        severity: Severity::IV,
        provisional: phase == Phase::Initial,
        occurred_ms: at(occurred_min),
        region: rc("654203106201"),
        point: None,
        casualties: Casualties {
            trapped: 3,
            evacuated: 37,
            ..Casualties::default()
        },
        economic_loss_wan: None,
        losses: String::new(),
        cause: "强降雨".into(),
        trend: String::new(),
        actions: String::new(),
        requests: String::new(),
        contact: "王建国 13800000000".into(),
        attachments: Vec::new(),
    }
}

pub fn report(phase: Phase, incident: Option<EntryId>) -> Body {
    Body::IncidentReport(Box::new(flood_report(phase, incident, 0)))
}

pub fn decision(action: ResponseAction, incident: EntryId, level: ResponseLevel) -> Body {
    Body::ResponseDecision(Box::new(ResponseDecision {
        action,
        incident,
        drill: None,
        level,
        plan: None,
        lead_hq: "防汛抗旱指挥部".into(),
        member_units: vec!["水利".into(), "消防".into()],
        reason: String::new(),
    }))
}

/// The county's flood plan (沙湾市防汛抗旱应急预案), due for review at
/// `review_due_ms`.
pub fn county_plan_record(review_due_ms: u64) -> PlanRecord {
    PlanRecord {
        plan: None,
        title: "沙湾市防汛抗旱应急预案".into(),
        version: "2024".into(),
        events: vec![EventType::new(Category::Natural, "flood_drought")],
        region: rc("654203"),
        summary: String::new(),
        document: None,
        review_due_ms,
    }
}

pub fn boats() -> ResourceItem {
    ResourceItem {
        class: ResourceClass::Material,
        item: "冲锋舟".into(),
        unit: "艘".into(),
        capabilities: Vec::new(),
    }
}

pub fn request(incident: Option<EntryId>, quantity: u64) -> Body {
    Body::ResourceRequest(Box::new(ResourceRequest {
        incident,
        drill: None,
        resource: boats(),
        quantity,
        deliver_to: "西戈壁村村委会".into(),
        needed_by_ms: None,
        note: String::new(),
    }))
}

pub fn offer(request: Option<EntryId>, quantity: u64) -> Body {
    Body::ResourceOffer(Box::new(ResourceOffer {
        request,
        drill: None,
        resource: boats(),
        quantity,
        location: "沙湾市应急物资储备库".into(),
        owner: "沙湾市应急管理局".into(),
        available_from_ms: None,
        available_until_ms: None,
        note: String::new(),
    }))
}

pub fn commit(offer: EntryId, request: EntryId, quantity: u64) -> Body {
    Body::ResourceCommit(Box::new(ResourceCommit {
        offer,
        request,
        drill: None,
        quantity,
        eta_ms: None,
        note: String::new(),
        surplus: false,
    }))
}

/// A commitment explicitly marked as surplus (超额承诺).
pub fn surplus_commit(offer: EntryId, request: EntryId, quantity: u64) -> Body {
    let mut body = commit(offer, request, quantity);
    if let Body::ResourceCommit(c) = &mut body {
        c.surplus = true;
    }
    body
}

pub fn status(commit: EntryId, status: DeploymentStatus) -> Body {
    Body::ResourceStatus(Box::new(ResourceStatus {
        commit,
        drill: None,
        status,
        note: String::new(),
    }))
}

pub fn task(incident: Option<EntryId>, assignees: Vec<NodeId>, due_min: Option<u64>) -> Body {
    Body::Task(Box::new(TaskAssign {
        incident,
        drill: None,
        assignees,
        objective: "转移村东低洼地带群众".into(),
        due_ms: due_min.map(at),
    }))
}

pub fn task_update(task: EntryId, state: TaskState, note: &str) -> Body {
    Body::TaskUpdate(Box::new(TaskUpdate {
        task,
        drill: None,
        state,
        note: note.into(),
    }))
}

pub fn warning_info(color: WarningColor, area: &str, from_min: u64, to_min: u64) -> WarningInfo {
    WarningInfo {
        color,
        event: EventType::new(Category::Natural, "flood_drought"),
        area: vec![rc(area)],
        polygon: Vec::new(),
        effective_ms: at(from_min),
        expires_ms: at(to_min),
        headline_zh: "洪水预警".into(),
        headline_en: "Flood warning".into(),
        description_zh: "河道水位持续上涨".into(),
        description_en: String::new(),
        instruction_zh: String::new(),
        instruction_en: String::new(),
    }
}
