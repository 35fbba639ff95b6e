//! The flood, step by step.

use std::time::Instant;

use liandong_protocol::domain::{
    Availability, Casualties, DeploymentStatus, Phase, ResponseAction, TaskState,
};
use liandong_protocol::{Body, RegionCode, ResponseLevel};

use super::bodies::{self, Report};
use super::{DemoError, DemoNet, DemoOptions, DemoSummary, converge};
use crate::clock;

use super::script::{Script, author_key, cut, heal, rc, review_at, write};

pub async fn run(
    net: &DemoNet,
    opts: &DemoOptions,
    summary: &mut DemoSummary,
    progress: &mut impl FnMut(&str),
) -> Result<(), DemoError> {
    let mut s = Script {
        opts,
        summary,
        progress,
        step: 0,
        clock: Instant::now(),
    };
    let village = rc("654203106201")?;
    let town = rc("654203106")?;
    let county = rc("654203")?;
    let now = clock::now_ms();
    let occurred = now - 25 * 60_000;

    s.step("沙湾市登记防汛预案，塔城地区备案 / Shawan registers its flood plan; Tacheng files it")
        .await;
    let plan = write(net, "shawan", &county, bodies::plan(&county, now)).await?;
    net.until_held("tacheng", &plan).await?;
    write(net, "tacheng", &county, bodies::file_plan(plan.id())).await?;

    s.step("登记救援力量：消防救援大队、民兵应急排、蓝天救援队 / registering rescue forces: the fire brigade, a militia platoon, a volunteer team").await;
    let brigade = bodies::Force {
        name: "沙湾市消防救援大队",
        force_type: "fire",
        headcount: 42,
        capabilities: &["fire_fighting", "water_rescue", "search_rescue"],
        equipment: &["冲锋舟 4 艘", "水域救援车 2 辆", "生命探测仪 2 台"],
        base: (44_322_000, 85_606_000),
        region: &county,
        contact: "0993-6012119",
        drilled_days_ago: 20,
    };
    let brigade_entry = write(
        net,
        "fire",
        &county,
        bodies::rescue_force(&brigade, None, Availability::Ready, None, now),
    )
    .await?;
    let militia = bodies::Force {
        name: "西戈壁镇民兵应急排",
        force_type: "militia",
        headcount: 30,
        capabilities: &["flood_control", "evacuation"],
        equipment: &["编织袋 2000 条", "铁锹 60 把"],
        base: (44_351_000, 85_550_000),
        region: &town,
        contact: "西戈壁镇武装部",
        drilled_days_ago: 45,
    };
    let volunteers = bodies::Force {
        name: "沙湾市蓝天救援队",
        force_type: "volunteer",
        headcount: 18,
        capabilities: &["water_rescue", "search_rescue", "medical", "drone"],
        equipment: &["橡皮艇 2 艘", "无人机 3 架"],
        base: (44_336_000, 85_615_000),
        region: &county,
        contact: "蓝天救援队值班电话",
        drilled_days_ago: 10,
    };
    for (key, scope, force) in [
        ("xigebi-town", &town, &militia),
        ("shawan", &county, &volunteers),
    ] {
        let body = bodies::rescue_force(force, None, Availability::Ready, None, now);
        write(net, key, scope, body).await?;
    }

    s.step("塔城地区气象局发布暴雨橙色预警 / Tacheng weather bureau issues an orange rainstorm warning").await;
    let warning = write(
        net,
        "weather",
        &county,
        bodies::warning(vec![county.clone(), rc("654202")?], now),
    )
    .await?;
    let took = net.until_held("xigebi", &warning).await?;
    s.note(&format!(
        "预警已到达西戈壁村 / reached 西戈壁村 in {} ms",
        took.as_millis()
    ));

    s.step("西戈壁村首报：洪水漫过村东排洪渠 / 西戈壁村 files its 首报 (first report)")
        .await;
    let first = write(
        net,
        "xigebi",
        &village,
        bodies::report(Report {
            phase: Phase::Initial,
            incident: None,
            occurred_ms: occurred,
            region: &village,
            casualties: Casualties {
                trapped: 4,
                evacuated: 37,
                affected: 120,
                ..Casualties::default()
            },
            trend: "水位仍在上涨",
            actions: "已组织低洼地带 12 户 37 人转移",
            requests: "急需沙袋、冲锋舟",
        }),
    )
    .await?;
    let incident = first.id();
    let written = Instant::now();
    net.until_held("shawan", &first).await?;
    let to_county = written.elapsed();
    s.summary.first_report_to_county_ms = to_county.as_millis() as u64;
    net.until_held("national", &first).await?;
    let to_nation = written.elapsed();
    s.note(&format!(
        "首报到达沙湾市 {} ms，到达国家级 {} ms / reached the county in {} ms, the national post in {} ms",
        to_county.as_millis(),
        to_nation.as_millis(),
        to_county.as_millis(),
        to_nation.as_millis()
    ));

    s.step("沙湾市启动Ⅳ级应急响应 / Shawan activates a level Ⅳ response")
        .await;
    let iv = write(
        net,
        "shawan",
        &county,
        bodies::response(
            ResponseAction::Activate,
            incident,
            ResponseLevel::IV,
            Some(plan.id()),
            "沙湾市防汛抗旱指挥部",
            "西戈壁村洪涝，群众被困",
        ),
    )
    .await?;
    net.until_held("xigebi", &iv).await?;

    s.step("西戈壁镇申请沙袋与水域救援队 / 西戈壁镇 requests sandbags and a water-rescue team")
        .await;
    let bags = write(
        net,
        "xigebi-town",
        &town,
        bodies::request(incident, bodies::sandbags(), 5000, "西戈壁村村东排洪渠"),
    )
    .await?;
    let team = write(
        net,
        "xigebi-town",
        &town,
        bodies::request(incident, bodies::boats(), 1, "西戈壁村"),
    )
    .await?;
    net.until_held("manas", &bags).await?;
    s.note("请求已到达合作县玛纳斯县 / the request reached 玛纳斯县, the cooperating county");

    s.step("沙湾市水利局、玛纳斯县、消防大队响应并承诺 / offers and commitments across counties")
        .await;
    let water_offer = write(
        net,
        "water",
        &town,
        bodies::offer(
            bags.id(),
            bodies::sandbags(),
            3000,
            "沙湾市防汛物资仓库",
            "沙湾市水利局",
        ),
    )
    .await?;
    let manas_offer = write(
        net,
        "manas",
        &town,
        bodies::offer(
            bags.id(),
            bodies::sandbags(),
            2000,
            "玛纳斯县应急物资储备库",
            "玛纳斯县应急管理局",
        ),
    )
    .await?;
    let fire_offer = write(
        net,
        "fire",
        &town,
        bodies::offer(
            team.id(),
            bodies::boats(),
            1,
            "沙湾市消防救援大队",
            "沙湾市消防救援大队",
        ),
    )
    .await?;
    let water_commit = write(
        net,
        "water",
        &town,
        bodies::commit(water_offer.id(), bags.id(), 3000),
    )
    .await?;
    let manas_commit = write(
        net,
        "manas",
        &town,
        bodies::commit(manas_offer.id(), bags.id(), 2000),
    )
    .await?;
    let fire_commit = write(
        net,
        "fire",
        &town,
        bodies::commit(fire_offer.id(), team.id(), 1),
    )
    .await?;
    for c in [&water_commit, &manas_commit, &fire_commit] {
        write(
            net,
            author_key(net, c)?,
            &town,
            bodies::status(c.id(), DeploymentStatus::Dispatched),
        )
        .await?;
    }
    net.until_held("xigebi-town", &manas_commit).await?;

    s.step("下达指令并签收 / tasks assigned and acknowledged")
        .await;
    let fire_id = net.node("fire")?.node_id();
    let xigebi_id = net.node("xigebi")?.node_id();
    let due = now + 2 * 3_600_000;
    let evacuate = write(
        net,
        "shawan",
        &county,
        bodies::task(incident, vec![fire_id], "转移西戈壁村低洼地带被困群众", due),
    )
    .await?;
    let patrol = write(
        net,
        "xigebi-town",
        &village,
        bodies::task(
            incident,
            vec![xigebi_id],
            "组织村民巡堤查险，每两小时报告一次",
            due,
        ),
    )
    .await?;
    net.until_held("fire", &evacuate).await?;
    write(
        net,
        "fire",
        &county,
        bodies::task_update(evacuate.id(), TaskState::Acknowledged, "已出动 2 车 14 人"),
    )
    .await?;
    // The brigade's record says where it is: out on the evacuation.
    write(
        net,
        "fire",
        &county,
        bodies::rescue_force(
            &brigade,
            Some(brigade_entry.id()),
            Availability::Deployed,
            Some(evacuate.id()),
            now,
        ),
    )
    .await?;
    net.until_held("xigebi", &patrol).await?;
    write(
        net,
        "xigebi",
        &village,
        bodies::task_update(patrol.id(), TaskState::Acknowledged, "已安排 8 人巡堤"),
    )
    .await?;

    s.step("西戈壁村续报；塔城地区将响应提升至Ⅲ级 / an update; Tacheng escalates to level Ⅲ")
        .await;
    write(
        net,
        "xigebi",
        &village,
        bodies::report(Report {
            phase: Phase::Update,
            incident: Some(incident),
            occurred_ms: occurred,
            region: &village,
            casualties: Casualties {
                injured: 2,
                trapped: 9,
                evacuated: 86,
                affected: 240,
                ..Casualties::default()
            },
            trend: "上游来水增大，险情扩大",
            actions: "消防救援大队已到场，转移继续",
            requests: "需要医疗救护",
        }),
    )
    .await?;
    let iii = write(
        net,
        "tacheng",
        &county,
        bodies::response(
            ResponseAction::Adjust,
            incident,
            ResponseLevel::III,
            Some(plan.id()),
            "塔城地区防汛抗旱指挥部",
            "险情扩大，启动地区Ⅲ级响应",
        ),
    )
    .await?;
    net.until_held("xigebi", &iii).await?;

    s.step("断网：西戈壁镇到各村的链路中断 / partition: the links from 西戈壁镇 to its villages are cut").await;
    cut(net, "xigebi", "xigebi-town").await?;
    cut(net, "gebidong", "xigebi-town").await?;
    let village_keys: Vec<String> = net
        .members
        .iter()
        .filter(|m| m.key.starts_with("village-"))
        .map(|m| m.key.clone())
        .collect();
    for v in &village_keys {
        cut(net, v, "xigebi-town").await?;
    }
    s.note("各村与邻村之间仍连通 / the villages still reach each other");

    s.step("断网期间各村继续报告 / while cut off, the villages keep reporting")
        .await;
    let cut_report = write(
        net,
        "xigebi",
        &village,
        bodies::report(Report {
            phase: Phase::Update,
            incident: Some(incident),
            occurred_ms: occurred,
            region: &village,
            casualties: Casualties {
                injured: 2,
                trapped: 0,
                evacuated: 112,
                affected: 260,
                ..Casualties::default()
            },
            trend: "水位开始回落",
            actions: "被困群众全部转移，村东排洪渠已用沙袋加固",
            requests: "通信中断，靠人工传递数据包",
        }),
    )
    .await?;
    let neighbour = net.node("gebidong")?;
    let neighbour_region = neighbour.region().clone();
    write(
        net,
        "gebidong",
        &neighbour_region,
        Body::Note(liandong_protocol::Note {
            text: "戈壁东村：村道积水，暂无人员伤亡。".into(),
        }),
    )
    .await?;
    net.until_held("gebidong", &cut_report).await?;
    s.note("续报已到达邻村戈壁东村，但沙湾市尚未收到 / the update reached the neighbouring village, not the county");
    let held = {
        let id = cut_report.id();
        net.node("shawan")?
            .ledger()
            .read(move |l| l.store().contains(&id).unwrap_or(false))
            .await
            .unwrap_or(false)
    };
    if held {
        s.summary
            .problems
            .push("the county held the village's update although the link was cut".into());
    }

    s.step("U盘摆渡：西戈壁村导出数据包，送到西戈壁镇导入 / a USB stick carries a bundle from 西戈壁村 to 西戈壁镇").await;
    let scope = village.clone();
    let bundle = net
        .node("xigebi")?
        .ledger()
        .read(move |l| crate::bundle::build(l, &scope, None).map(|b| b.bytes))
        .await
        .map_err(|e| DemoError::Step(e.to_string()))?
        .map_err(|e| DemoError::Step(e.to_string()))?;
    let size = bundle.len();
    let imported = net
        .node("xigebi-town")?
        .import_bundle(bundle)
        .await
        .map_err(|e| DemoError::Step(e.to_string()))?;
    s.note(&format!(
        "数据包 {size} 字节：新增 {} 条，重复 {} 条 / bundle of {size} bytes: {} new, {} already known",
        imported.added, imported.duplicate, imported.added, imported.duplicate
    ));
    let carried = net.until_held("shawan", &cut_report).await?;
    s.note(&format!(
        "续报经U盘到达沙湾市 / the update reached the county by USB stick ({} ms after import)",
        carried.as_millis()
    ));

    s.step("恢复链路，全网收敛 / links restored; the network converges")
        .await;
    let heal_start = Instant::now();
    heal(net, "xigebi", "xigebi-town").await?;
    heal(net, "gebidong", "xigebi-town").await?;
    for v in &village_keys {
        heal(net, v, "xigebi-town").await?;
    }
    converge::wait(net, net.deadline).await?;
    s.summary.convergence_ms = heal_start.elapsed().as_millis() as u64;
    s.note(&format!(
        "全网收敛用时 {} ms / converged {} ms after the heal",
        s.summary.convergence_ms, s.summary.convergence_ms
    ));

    s.step("物资交付、任务完成、终报、响应终止 / deliveries, tasks done, the final report, response ended").await;
    // Receipt is the receiving side's to confirm: the town that asked.
    for c in [&water_commit, &manas_commit, &fire_commit] {
        write(
            net,
            "xigebi-town",
            &town,
            bodies::status(c.id(), DeploymentStatus::Delivered),
        )
        .await?;
    }
    write(
        net,
        "fire",
        &county,
        bodies::task_update(evacuate.id(), TaskState::Done, "被困群众全部转移"),
    )
    .await?;
    write(
        net,
        "fire",
        &county,
        bodies::rescue_force(
            &brigade,
            Some(brigade_entry.id()),
            Availability::Resting,
            None,
            now,
        ),
    )
    .await?;
    write(
        net,
        "xigebi",
        &village,
        bodies::task_update(patrol.id(), TaskState::Done, "堤防稳定"),
    )
    .await?;
    let last = write(
        net,
        "xigebi",
        &village,
        bodies::report(Report {
            phase: Phase::Final,
            incident: Some(incident),
            occurred_ms: occurred,
            region: &village,
            casualties: Casualties {
                injured: 2,
                evacuated: 112,
                affected: 260,
                ..Casualties::default()
            },
            trend: "险情解除",
            actions: "群众陆续返回，开展灾后消杀",
            requests: "",
        }),
    )
    .await?;
    net.until_held("tacheng", &last).await?;
    let end = write(
        net,
        "tacheng",
        &county,
        bodies::response(
            ResponseAction::Terminate,
            incident,
            ResponseLevel::III,
            None,
            "塔城地区防汛抗旱指挥部",
            "险情解除",
        ),
    )
    .await?;
    for c in [&water_commit, &manas_commit, &fire_commit] {
        write(
            net,
            author_key(net, c)?,
            &town,
            bodies::status(c.id(), DeploymentStatus::Returned),
        )
        .await?;
    }
    net.until_held("xigebi", &end).await?;
    converge::wait(net, net.deadline).await?;

    s.step("总结评估：由台账计算时间线 / after-action review, computed from the ledger")
        .await;
    let (review, invalid) = review_at(net, "shawan", incident).await?;
    if invalid > 0 {
        s.summary.problems.push(format!(
            "{invalid} entries were left out of the county's views"
        ));
    }
    if let Some(t) = review.incidents.first() {
        s.note(&format!(
            "首报时延 {} 分钟（时限 {} 分钟，{}）/ first report {} min after occurrence (deadline {} min, {})",
            t.first_report_latency_ms / 60_000,
            t.first_report_deadline_ms / 60_000,
            if t.first_report_on_time { "按时" } else { "迟报" },
            t.first_report_latency_ms / 60_000,
            t.first_report_deadline_ms / 60_000,
            if t.first_report_on_time { "on time" } else { "late" },
        ));
        s.note(&format!(
            "首报至响应 {} 毫秒；最高响应级别 {} / report to response {} ms; highest level {}",
            t.report_to_response_ms.unwrap_or(0),
            t.highest_level.map(|l| l.numeral()).unwrap_or("—"),
            t.report_to_response_ms.unwrap_or(0),
            t.highest_level.map(|l| l.numeral()).unwrap_or("—"),
        ));
    }
    let t = &review.tasks;
    s.note(&format!(
        "指令 {} 项：签收 {}，完成 {}，签收时延中位数 {} 毫秒 / {} tasks: {} acknowledged, {} done, median ack {} ms",
        t.tasks,
        t.acknowledged,
        t.done,
        t.ack_latency.median_ms.unwrap_or(0),
        t.tasks,
        t.acknowledged,
        t.done,
        t.ack_latency.median_ms.unwrap_or(0)
    ));
    let r = &review.resources;
    s.note(&format!(
        "物资申请 {} 项：满足 {}，交付 {}，首次承诺用时中位数 {} 毫秒 / {} requests: {} filled, {} delivered, median time to first commit {} ms",
        r.requests,
        r.filled,
        r.delivered,
        r.time_to_first_commit.median_ms.unwrap_or(0),
        r.requests,
        r.filled,
        r.delivered,
        r.time_to_first_commit.median_ms.unwrap_or(0)
    ));
    s.summary.review = Some(review);

    s.step("核对各节点摘要 / checking every post's digest")
        .await;
    s.summary.digests = converge::table(net).await?;
    s.summary.converged = s.summary.digests.iter().all(|d| d.matches);
    s.summary.entries = net
        .node("national")?
        .digest(RegionCode::national())
        .await
        .map(|d| d.count)
        .unwrap_or(0);
    if let Some(last) = s.summary.steps.last_mut() {
        last.ms = s.clock.elapsed().as_millis() as u64;
    }
    Ok(())
}
