//! `liandong board incidents|resources|tasks|warnings|plans|drills`: the
//! current views
//! as tables, in Chinese (default) or English, or as JSON.
//!
//! Each board ends with the conflicts the fold resolved and the entries it
//! excluded that concern it: a board never hides that something was
//! refused.

use crate::domain::incident_search::{FoundIncidents, IncidentQuery};
use crate::domain::sections::Area;
use clap::{Args, Subcommand};
use liandong_protocol::domain::Casualties;
use liandong_protocol::domain::cap::mapping;
use liandong_protocol::domain::fold::{Conflict, Excluded, IncidentView, Track, Views};

use super::CliError;
use super::domain::lang::post_and_operator;
use super::domain::{Lang, ViewOptions, session};
use super::output::{self, truncate};
use crate::clock;
use crate::datadir::DataDir;

#[derive(Debug, Subcommand)]
pub enum BoardCommand {
    /// Incidents: reports, response, deadlines / 事件看板
    Incidents(IncidentBoardArgs),
    /// Requests, offers and commitments / 资源看板
    Resources(BoardArgs),
    /// Tasks and acknowledgements / 指令看板
    Tasks(BoardArgs),
    /// Warnings / 预警看板
    Warnings(BoardArgs),
    /// Plans: versions, approval, filing, review dates / 预案看板
    Plans(BoardArgs),
    /// Drills, running and ended / 演练看板
    Drills(BoardArgs),
    /// Restricted entries this post holds: readable ones with their
    /// audience, the others as placeholders (`log --kind restricted`) /
    /// 受限信息
    Restricted(RestrictedBoardArgs),
}

#[derive(Debug, Args)]
pub struct RestrictedBoardArgs {
    /// Show at most this many, oldest first as `log` does / 最多显示条数
    #[arg(long)]
    pub limit: Option<usize>,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BoardArgs {
    /// zh or en / 语言
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: Lang,
    #[command(flatten)]
    pub common: ViewOptions,
}

#[derive(Debug, Args)]
pub struct IncidentBoardArgs {
    #[command(flatten)]
    pub board: BoardArgs,
    /// Only the newest N open and the newest N closed incidents /
    /// 只显示最新的 N 起处置中和 N 起已结束的事件
    #[arg(long, value_name = "N")]
    pub latest: Option<usize>,
    /// Only the incidents these words find, each in the title, event type,
    /// id, region code or region name (e.g. "四川 地震") /
    /// 只显示搜索到的事件：名称、类型、编号、区划代码或名称
    #[arg(long, value_name = "WORDS")]
    pub search: Option<String>,
}

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&std::path::Path>,
    cmd: BoardCommand,
) -> Result<(), CliError> {
    let (which, args) = match cmd {
        BoardCommand::Incidents(a) if a.latest.is_some() || a.search.is_some() => {
            return found_incidents(data_dir, dev_roles, a);
        }
        BoardCommand::Incidents(a) => (Board::Incidents, a.board),
        BoardCommand::Resources(a) => (Board::Resources, a),
        BoardCommand::Tasks(a) => (Board::Tasks, a),
        BoardCommand::Warnings(a) => (Board::Warnings, a),
        BoardCommand::Plans(a) => (Board::Plans, a),
        BoardCommand::Drills(a) => (Board::Drills, a),
        BoardCommand::Restricted(a) => {
            return super::log::run(
                data_dir,
                super::log::LogArgs {
                    kind: Some(liandong_protocol::Kind::RESTRICTED),
                    author: None,
                    scope: None,
                    since: None,
                    until: None,
                    limit: a.limit,
                    voided: false,
                    json: a.json,
                },
            );
        }
    };
    let area = which.area();
    let views = session::load_area(data_dir, dev_roles, &args.common.as_common(), area)?;
    let l = args.lang;
    let conflicts = area.conflicts(&views);
    let invalid = area.invalid(&views);
    if args.common.json {
        output::print_json(&area.section(&views));
        return Ok(());
    }
    heading(which, &views, l);
    match which {
        Board::Incidents => incidents(&views, l),
        Board::Resources => resources(&views, l),
        Board::Tasks => tasks(&views, l),
        Board::Warnings => warnings(&views, l),
        Board::Plans => plans(&views, l),
        Board::Drills => drills(&views, l),
    }
    footer(&conflicts, &invalid, l);
    Ok(())
}

/// `board incidents --latest N --search WORDS`: what the search found, and
/// how many of how many are shown.
fn found_incidents(
    data_dir: &DataDir,
    dev_roles: Option<&std::path::Path>,
    args: IncidentBoardArgs,
) -> Result<(), CliError> {
    let query = IncidentQuery::checked(args.latest, args.search)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let common = args.board.common.as_common();
    let found = session::find_incidents(data_dir, dev_roles, &common, &query)?;
    let v = &found.views;
    if args.board.common.json {
        output::print_json(&FoundIncidents {
            track: &v.track,
            now_ms: v.now_ms,
            incidents: v.incidents.iter().collect(),
            open: found.open,
            closed: found.closed,
            all: found.all,
            conflicts: v.conflicts.iter().collect(),
            invalid: v.invalid.iter().collect(),
        });
        return Ok(());
    }
    let l = args.board.lang;
    heading(Board::Incidents, v, l);
    let (shown, open, closed, all) = (v.incidents.len(), found.open, found.closed, found.all);
    let matched = open + closed;
    println!(
        "{}",
        match l {
            Lang::Zh => format!(
                "显示 {shown} 起：找到 {matched} 起（处置中 {open}，已结束 {closed}），共 {all} 起"
            ),
            Lang::En => format!(
                "showing {shown} of {matched} found ({open} open, {closed} closed), of {all} incidents"
            ),
        }
    );
    incidents(v, l);
    footer(
        &v.conflicts.iter().collect::<Vec<_>>(),
        &v.invalid.iter().collect::<Vec<_>>(),
        l,
    );
    Ok(())
}

/// The board's first line: which board, which track (reality or a
/// drill), and when.
fn heading(which: Board, views: &Views, l: Lang) {
    let drill_name = match views.track {
        Track::Drill(id) => views.drill(&id).map(|d| d.name.clone()),
        _ => None,
    };
    println!(
        "{} · {} · {}",
        which.title(l),
        output::terminal_safe(&track_label(&views.track, drill_name.as_deref(), l)),
        clock::format_ms(views.now_ms)
    );
}

#[derive(Clone, Copy)]
enum Board {
    Incidents,
    Resources,
    Tasks,
    Warnings,
    Plans,
    Drills,
}

impl Board {
    fn title(self, l: Lang) -> &'static str {
        match self {
            Board::Incidents => l.t("事件看板", "Incidents"),
            Board::Resources => l.t("资源看板", "Resources"),
            Board::Tasks => l.t("指令看板", "Tasks"),
            Board::Warnings => l.t("预警看板", "Warnings"),
            Board::Plans => l.t("预案看板", "Plans"),
            Board::Drills => l.t("演练看板", "Drills"),
        }
    }

    fn area(self) -> Area {
        match self {
            Board::Incidents => Area::Incidents,
            Board::Resources => Area::Resources,
            Board::Tasks => Area::Tasks,
            Board::Warnings => Area::Warnings,
            Board::Plans => Area::Plans,
            Board::Drills => Area::Drills,
        }
    }
}

/// `11-28 16:05`: date and minute are what a duty officer reads.
fn when(ms: u64) -> String {
    let full = clock::format_ms(ms);
    full.get(5..16).map_or(full.clone(), str::to_string)
}

fn casualties(c: &Casualties, l: Lang) -> String {
    let parts = [
        (c.dead, "亡", "dead"),
        (c.missing, "失踪", "missing"),
        (c.injured, "伤", "injured"),
        (c.trapped, "困", "trapped"),
        (c.evacuated, "转移", "evacuated"),
        (c.affected, "受灾", "affected"),
    ];
    let shown: Vec<String> = parts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, zh, en)| match l {
            Lang::Zh => format!("{zh}{n}"),
            Lang::En => format!("{n} {en}"),
        })
        .collect();
    if shown.is_empty() {
        "—".into()
    } else {
        shown.join(" ")
    }
}

fn incident_row(i: &IncidentView, l: Lang) -> Vec<String> {
    let r = &i.current;
    let severity = format!(
        "{}{}",
        r.severity.numeral(),
        if r.provisional {
            l.t("（初判）", " (prov.)")
        } else {
            ""
        }
    );
    let response = match &i.response {
        None => "—".to_string(),
        Some(x) if x.active => format!(
            "{} {}",
            l.response(x.level),
            post_and_operator(&x.decided_by)
        ),
        Some(x) => format!("{} {}", l.response(x.level), l.t("已终止", "ended")),
    };
    let d = &i.deadlines;
    let first = format!(
        "{} {}",
        l.duration(d.first_report_latency_ms),
        if d.first_report_late {
            l.t("迟报", "LATE")
        } else {
            l.t("按时", "on time")
        }
    );
    let next = match (&i.closed, d.next_update_due_ms) {
        (Some(_), _) => l.t("已终报", "final").to_string(),
        (None, Some(due)) if d.update_overdue => {
            format!("{} {}", l.t("逾期", "OVERDUE"), when(due))
        }
        (None, Some(due)) => when(due),
        (None, None) => "—".into(),
    };
    vec![
        i.id.short(),
        truncate(&r.title, 24),
        l.event(&r.event),
        severity,
        format!("{}{}", l.phase(r.phase), if i.verified { "✓" } else { "" }),
        casualties(&r.casualties, l),
        response,
        first,
        next,
        if i.closed.is_some() {
            l.t("已结束", "closed")
        } else {
            l.t("处置中", "open")
        }
        .to_string(),
    ]
}

fn incidents(v: &Views, l: Lang) {
    if v.incidents.is_empty() {
        println!("{}", l.t("（无事件）", "(no incidents)"));
        return;
    }
    let header = [
        l.t("编号", "id"),
        l.t("事件", "incident"),
        l.t("类型", "type"),
        l.t("等级", "grade"),
        l.t("阶段", "phase"),
        l.t("伤亡", "casualties"),
        l.t("响应", "response"),
        l.t("首报用时", "first report"),
        l.t("下次续报", "next update"),
        l.t("状态", "state"),
    ];
    let rows: Vec<Vec<String>> = v.incidents.iter().map(|i| incident_row(i, l)).collect();
    output::print_table(&header, &rows);
}

fn resources(v: &Views, l: Lang) {
    println!("{}", l.t("【需求】", "[requests]"));
    if v.requests.is_empty() {
        println!("{}", l.t("（无）", "(none)"));
    } else {
        let header = [
            l.t("编号", "id"),
            l.t("需求单位", "requester"),
            l.t("资源", "resource"),
            l.t("数量", "quantity"),
            l.t("已承诺", "committed"),
            l.t("已交付", "delivered"),
            l.t("缺口", "outstanding"),
            l.t("送达", "deliver to"),
            l.t("状态", "state"),
        ];
        let rows: Vec<Vec<String>> = v
            .requests
            .iter()
            .map(|r| {
                let state = if r.delivered >= r.quantity {
                    l.t("已交付", "delivered")
                } else if r.overdue {
                    l.t("逾期", "OVERDUE")
                } else if r.outstanding == 0 {
                    l.t("已足额", "filled")
                } else {
                    l.t("待承诺", "open")
                };
                vec![
                    r.id.short(),
                    truncate(&post_and_operator(&r.by), 18),
                    format!("{} ({})", r.resource.item, l.class(r.resource.class)),
                    format!("{}{}", r.quantity, r.resource.unit),
                    r.committed.to_string(),
                    r.delivered.to_string(),
                    r.outstanding.to_string(),
                    truncate(&r.deliver_to, 16),
                    format!(
                        "{state}{}",
                        if r.overfilled {
                            l.t("（超额）", " (over)")
                        } else {
                            ""
                        }
                    ),
                ]
            })
            .collect();
        output::print_table(&header, &rows);
    }
    println!("{}", l.t("【提供与储备】", "[offers and inventories]"));
    if v.offers.is_empty() {
        println!("{}", l.t("（无）", "(none)"));
    } else {
        let header = [
            l.t("编号", "id"),
            l.t("所属单位", "owner"),
            l.t("资源", "resource"),
            l.t("总量", "quantity"),
            l.t("已承诺", "committed"),
            l.t("剩余", "remaining"),
            l.t("地点", "location"),
            l.t("响应需求", "answers"),
        ];
        let rows: Vec<Vec<String>> = v
            .offers
            .iter()
            .map(|o| {
                vec![
                    o.id.short(),
                    truncate(&o.holder, 18),
                    format!("{} ({})", o.resource.item, l.class(o.resource.class)),
                    format!("{}{}", o.quantity, o.resource.unit),
                    o.committed.to_string(),
                    o.remaining.to_string(),
                    truncate(&o.location, 16),
                    o.request
                        .map_or(l.t("储备", "inventory").to_string(), |r| r.short()),
                ]
            })
            .collect();
        output::print_table(&header, &rows);
    }
    println!("{}", l.t("【承诺与调运】", "[commitments]"));
    if v.commits.is_empty() {
        println!("{}", l.t("（无）", "(none)"));
    } else {
        let header = [
            l.t("编号", "id"),
            l.t("承诺单位", "by"),
            l.t("提供", "offer"),
            l.t("需求", "request"),
            l.t("数量", "quantity"),
            l.t("状态", "status"),
            l.t("更新", "updated"),
        ];
        let rows: Vec<Vec<String>> = v
            .commits
            .iter()
            .map(|c| {
                vec![
                    c.id.short(),
                    truncate(&post_and_operator(&c.by), 18),
                    c.offer.short(),
                    c.request.short(),
                    c.quantity.to_string(),
                    l.deployment(c.status).to_string(),
                    when(c.status_ms),
                ]
            })
            .collect();
        output::print_table(&header, &rows);
    }
}

fn tasks(v: &Views, l: Lang) {
    if v.tasks.is_empty() {
        println!("{}", l.t("（无指令）", "(no tasks)"));
        return;
    }
    let header = [
        l.t("编号", "id"),
        l.t("下达单位", "issuer"),
        l.t("任务", "objective"),
        l.t("受领单位", "assignees"),
        l.t("时限", "due"),
        l.t("状态", "state"),
    ];
    let rows: Vec<Vec<String>> = v
        .tasks
        .iter()
        .map(|t| {
            let who: Vec<String> = t
                .assignees
                .iter()
                .map(|a| {
                    let ack = a
                        .ack_latency_ms
                        .map(|ms| format!(" {}{}", l.t("签收", "ack "), l.duration(ms)))
                        .unwrap_or_default();
                    format!("{} {}{}", a.post.name, l.task_state(a.state), ack)
                })
                .collect();
            vec![
                t.id.short(),
                truncate(&t.issuer.name, 16),
                truncate(&t.objective, 28),
                who.join("；"),
                t.due_ms.map_or("—".into(), when),
                format!(
                    "{}{}",
                    l.task_state(t.state),
                    if t.overdue {
                        l.t("（逾期）", " (OVERDUE)")
                    } else {
                        ""
                    }
                ),
            ]
        })
        .collect();
    output::print_table(&header, &rows);
}

fn warnings(v: &Views, l: Lang) {
    if v.warnings.is_empty() {
        println!("{}", l.t("（无预警）", "(no warnings)"));
        return;
    }
    let header = [
        l.t("编号", "id"),
        l.t("颜色", "colour"),
        l.t("类型", "type"),
        l.t("范围", "area"),
        l.t("标题", "headline"),
        l.t("生效", "effective"),
        l.t("失效", "expires"),
        l.t("状态", "status"),
        l.t("发布单位", "issuer"),
    ];
    let rows: Vec<Vec<String>> = v
        .warnings
        .iter()
        .map(|w| {
            let c = &w.current;
            // An external warning's colour and issuer are its CAP sender's.
            let (colour, issuer) = match &w.external {
                Some(e) => (
                    if e.graded {
                        l.color(c.color).to_string()
                    } else {
                        l.t("未分级", "ungraded").to_string()
                    },
                    format!(
                        "{}{}",
                        mapping::primary(&e.alert)
                            .map(|i| i.sender_name.trim())
                            .filter(|n| !n.is_empty())
                            .unwrap_or(&e.alert.sender),
                        l.t("（外部）", " (external)")
                    ),
                ),
                None => (
                    l.color(c.color).to_string(),
                    post_and_operator(&w.current_by),
                ),
            };
            vec![
                w.id.short(),
                colour,
                l.event(&c.event),
                c.area
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                truncate(l.text(&c.headline_zh, &c.headline_en), 28),
                when(c.effective_ms),
                when(c.expires_ms),
                l.warning_status(w.status).to_string(),
                truncate(&issuer, 22),
            ]
        })
        .collect();
    output::print_table(&header, &rows);
}

fn plans(v: &Views, l: Lang) {
    if v.plans.is_empty() {
        println!("{}", l.t("（无预案）", "(no plans)"));
        return;
    }
    let header = [
        l.t("编号", "id"),
        l.t("预案", "plan"),
        l.t("版本", "version"),
        l.t("编制单位", "owner"),
        l.t("批准", "approved"),
        l.t("备案", "filed"),
        l.t("评估修订", "review due"),
        l.t("启动次数", "activations"),
    ];
    let yes_no = |b: bool| {
        if b {
            l.t("是", "yes")
        } else {
            l.t("否", "no")
        }
    };
    let rows: Vec<Vec<String>> = v
        .plans
        .iter()
        .map(|p| {
            let version = p
                .versions
                .iter()
                .find(|x| x.entry == p.current_version)
                .map_or("—".to_string(), |x| x.version.clone());
            vec![
                p.id.short(),
                truncate(&p.title, 28),
                version,
                truncate(&p.owner.name, 16),
                yes_no(p.approved).to_string(),
                yes_no(p.filed).to_string(),
                format!(
                    "{}{}",
                    when(p.review_due_ms),
                    if p.review_overdue {
                        l.t("（已逾期）", " (OVERDUE)")
                    } else {
                        ""
                    }
                ),
                p.activations.len().to_string(),
            ]
        })
        .collect();
    output::print_table(&header, &rows);
}

fn drills(v: &Views, l: Lang) {
    if v.drills.is_empty() {
        println!("{}", l.t("（无演练）", "(no drills)"));
        return;
    }
    let header = [
        l.t("编号", "id"),
        l.t("演练", "drill"),
        l.t("区域", "area"),
        l.t("发起单位", "started by"),
        l.t("开始", "started"),
        l.t("结束", "ended"),
        l.t("条目", "entries"),
    ];
    let rows: Vec<Vec<String>> = v
        .drills
        .iter()
        .map(|d| {
            vec![
                d.id.short(),
                truncate(&d.name, 24),
                d.region.to_string(),
                truncate(&post_and_operator(&d.started_by), 16),
                when(d.started_ms),
                d.ended
                    .as_ref()
                    .map_or(l.t("进行中", "running").to_string(), |e| when(e.at_ms)),
                d.entries.to_string(),
            ]
        })
        .collect();
    output::print_table(&header, &rows);
}

fn footer(conflicts: &[&Conflict], invalid: &[&Excluded], l: Lang) {
    if !conflicts.is_empty() {
        println!(
            "{} {}",
            l.t(
                "冲突（已按规则处理）：",
                "Conflicts (resolved by the rules):"
            ),
            conflicts.len()
        );
        for c in conflicts {
            let how = if c.applied {
                l.t("已采纳", "applied")
            } else {
                l.t("未采纳", "not applied")
            };
            println!(
                "  {} {} [{how}] {}",
                when(c.at_ms),
                c.entry.short(),
                output::terminal_safe(l.t(&c.zh, &c.en))
            );
        }
    }
    if !invalid.is_empty() {
        println!(
            "{} {}",
            l.t(
                "无效条目（未计入看板）：",
                "Invalid entries (not in the board):"
            ),
            invalid.len()
        );
        for x in invalid {
            println!(
                "  {} {} {} {}",
                when(x.at_ms),
                x.entry.short(),
                x.kind,
                output::terminal_safe(l.t(&x.reason.zh, &x.reason.en))
            );
        }
    }
}

/// How a track is named on boards.
pub fn track_label(track: &Track, drill_name: Option<&str>, l: Lang) -> String {
    match track {
        Track::Actual => l.t("实战", "actual").into(),
        Track::Drill(id) => format!(
            "{} {} ({})",
            l.t("演练", "drill"),
            drill_name.unwrap_or_default(),
            id.short()
        ),
    }
}
