//! `liandong force list|show`: the registry searched by capability and by
//! distance (from `--near`, or this post's location), nearest first, as a
//! table in Chinese or English or as JSON — folded here when the store is
//! free, asked of the running node (`GET /api/forces`) when it holds it.
//! Every text from the ledger is shown terminal-safe (control characters
//! escaped), like the boards.

use std::path::Path;

use clap::Args;
use liandong_protocol::domain::fold::AssignmentKind;

use crate::cli::CliError;
use crate::cli::access::{self, Access};
use crate::cli::domain::{Common, Lang, Session, session};
use crate::cli::output::{self, terminal_safe, truncate};
use crate::clock;
use crate::datadir::DataDir;
use crate::domain::actions::rescue_force::FORCE;
use crate::domain::ids;
use crate::domain::projections::forces::Origin;
use crate::domain::projections::{ForceList, ForceQuery, ForceRow, search_forces};
use crate::service::rows::post_places;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only forces with this capability: water_rescue, 搜索救援 … / 按救援能力
    #[arg(long)]
    pub capability: Option<String>,
    /// Measure distances from lat,lon [default: this post's location] / 距离起点（纬度,经度）
    #[arg(long, value_name = "LAT,LON")]
    pub near: Option<String>,
    /// Only forces within this many km / 距离范围（公里）
    #[arg(long, visible_alias = "within-km", value_name = "KM")]
    pub within: Option<String>,
    /// zh or en / 语言
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: Lang,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The force: id or prefix / 救援力量编号
    pub force: String,
    /// zh or en / 语言
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: Lang,
    #[command(flatten)]
    pub common: Common,
}

pub fn list(data_dir: &DataDir, dev_roles: Option<&Path>, a: ListArgs) -> Result<(), CliError> {
    let query = ForceQuery {
        capability: a.capability,
        near: a.near,
        within_km: a.within,
    };
    let found = load(data_dir, dev_roles, &a.common, &query)?;
    if a.common.json {
        output::print_json(&found);
        return Ok(());
    }
    print_list(&found, a.lang);
    Ok(())
}

pub fn show(data_dir: &DataDir, dev_roles: Option<&Path>, a: ShowArgs) -> Result<(), CliError> {
    let found = load(data_dir, dev_roles, &a.common, &ForceQuery::default())?;
    // The id is a positional argument here: no flag to name in a refusal.
    let positional = |mut e: crate::domain::ActionError| {
        e.field = None;
        session::action_error(e)
    };
    let id = ids::resolve(
        &a.force,
        found.forces.iter().map(|r| r.force.id),
        FORCE,
        "force",
    )
    .map_err(positional)?;
    let Some(row) = found.forces.iter().find(|r| r.force.id == id) else {
        return Err(positional(ids::unknown(FORCE, &id, "force")));
    };
    if a.common.json {
        output::print_json(row);
        return Ok(());
    }
    print_one(row, a.lang);
    Ok(())
}

/// The search's answer: from the store when it is free, from the running
/// node when it holds the store.
fn load(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    common: &Common,
    query: &ForceQuery,
) -> Result<ForceList, CliError> {
    match access::open(data_dir)? {
        Access::Local(post) => {
            let here = match post.config.post.location {
                Some(p) => Some(p),
                None => post_places(post.ledger.store())
                    .map_err(CliError::Store)?
                    .remove(&post.ledger.node_id()),
            };
            let s = Session::with_post(*post, data_dir, dev_roles, common)?;
            search_forces(&s.views(), query, here).map_err(session::action_error)
        }
        Access::Running(client) => client
            .get::<ForceList>(
                "/api/forces",
                &[
                    ("drill", common.drill.clone()),
                    ("capability", query.capability.clone()),
                    ("near", query.near.clone()),
                    ("within_km", query.within_km.clone()),
                ],
            )
            .map_err(access::remote),
    }
}

fn date(ms: Option<u64>) -> String {
    ms.map_or_else(|| "—".into(), |ms| clock::format_ms(ms)[..10].to_string())
}

fn km(d: Option<f64>, l: Lang) -> String {
    d.map_or_else(|| "—".into(), |d| format!("{d:.1} {}", l.t("公里", "km")))
}

fn type_of(r: &ForceRow, l: Lang) -> String {
    l.t(&r.type_zh, &r.type_en).to_string()
}

fn capabilities(r: &ForceRow, l: Lang) -> String {
    let names = match l {
        Lang::Zh => &r.capabilities_zh,
        Lang::En => &r.capabilities_en,
    };
    if names.is_empty() {
        "—".into()
    } else {
        names.join(l.t("、", ", "))
    }
}

fn availability(r: &ForceRow, l: Lang) -> String {
    let c = &r.force.current;
    l.t(&r.availability_zh, c.availability.name()).to_string()
}

fn print_list(found: &ForceList, l: Lang) {
    let from = match (found.origin, found.origin_is) {
        (Some(p), Some(Origin::Query)) => {
            format!("{} {p}", l.t("距离起点", "distances from"))
        }
        (Some(p), _) => format!(
            "{} {p}",
            l.t("距离起点：本岗位", "distances from this post")
        ),
        (None, _) => l
            .t(
                "本岗位未配置位置，不计距离",
                "this post has no location: no distances",
            )
            .to_string(),
    };
    println!(
        "{} · {}/{} · {} · {}",
        l.t("救援力量储备库", "Rescue forces"),
        found.forces.len(),
        found.total,
        from,
        clock::format_ms(found.now_ms)
    );
    if found.forces.is_empty() {
        println!("{}", l.t("（无）", "(none)"));
    } else {
        let header = [
            l.t("编号", "id"),
            l.t("名称", "name"),
            l.t("类型", "type"),
            l.t("人数", "people"),
            l.t("救援能力", "capabilities"),
            l.t("状态", "availability"),
            l.t("距离", "distance"),
            l.t("最近演练", "last drill"),
            l.t("所属单位", "owner"),
        ];
        let rows: Vec<Vec<String>> = found
            .forces
            .iter()
            .map(|r| {
                let c = &r.force.current;
                vec![
                    r.force.id.short(),
                    truncate(l.text(&c.name, &c.name_en), 24),
                    type_of(r, l),
                    c.headcount.to_string(),
                    truncate(&capabilities(r, l), 30),
                    availability(r, l),
                    km(r.distance_km, l),
                    date(c.last_drill_ms),
                    truncate(&r.force.owner.name, 18),
                ]
            })
            .collect();
        output::print_table(&header, &rows);
    }
    for x in &found.invalid {
        println!(
            "{} {} {} — {}",
            l.t("已排除", "excluded"),
            clock::format_ms(x.at_ms),
            x.entry.short(),
            terminal_safe(l.t(&x.reason.zh, &x.reason.en))
        );
    }
}

fn print_one(r: &ForceRow, l: Lang) {
    let f = &r.force;
    let c = &f.current;
    // Labels padded by display width: a Chinese character takes two columns.
    let line = |k: (&str, &str), v: &str| {
        let label = l.t(k.0, k.1);
        let pad = 14usize.saturating_sub(output::display_width(label));
        println!("{label}{} {}", " ".repeat(pad), terminal_safe(v));
    };
    println!("{}", terminal_safe(l.text(&c.name, &c.name_en)));
    line(("编号", "id"), &f.id.to_hex());
    line(("类型", "type"), &type_of(r, l));
    line(("人数", "people"), &c.headcount.to_string());
    line(("救援能力", "capabilities"), &capabilities(r, l));
    line(
        ("主要装备", "equipment"),
        &if c.equipment.is_empty() {
            "—".into()
        } else {
            c.equipment.join(l.t("；", "; "))
        },
    );
    line(("状态", "availability"), &availability(r, l));
    if let Some(a) = &f.assignment {
        let kind = match a.kind {
            AssignmentKind::Task => l.t("指令", "task"),
            AssignmentKind::Commit => l.t("资源承诺", "commitment"),
            AssignmentKind::Unknown => l.t("（本台账未见）", "(not in this ledger)"),
        };
        line(
            ("执行任务", "assigned to"),
            &format!("{kind} {} {}", a.entry.short(), a.label),
        );
    }
    line(("驻地", "base"), &c.base.to_string());
    line(("距离", "distance"), &km(r.distance_km, l));
    line(("服务区划", "region"), c.region.as_str());
    line(
        ("联系方式", "contact"),
        if c.contact.is_empty() {
            "—"
        } else {
            &c.contact
        },
    );
    line(("最近演练", "last drill"), &date(c.last_drill_ms));
    line(("所属单位", "owner"), &f.owner.name);
    line(
        ("更新", "updated"),
        &format!(
            "{} {} ({} {})",
            clock::format_ms(f.updated_ms),
            f.updated_by.name,
            f.records.len(),
            l.t("条记录", "records")
        ),
    );
    if !c.note.is_empty() {
        line(("备注", "note"), &c.note);
    }
}
