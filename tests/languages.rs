//! Scripts written without spaces between words: near copies, repeated paragraphs and furniture
//! in Japanese, Chinese, Korean and Thai, and lines that mix them with Latin words.

mod common;
use common::*;
use dedup::Options;

/// An article in Japanese (its own text, written for this test), with English product names.
const JA: &str = "東京の図書館では、古い新聞をデジタル化する作業が続いている。\n\
担当者によると、明治時代の記事はすでに半分ほど読み取りが終わり、来年の春には一般に公開される予定だ。\n\
作業には Linux のサーバーと Tesseract という文字認識のソフトが使われており、誤りは職員が一つずつ確認している。\n\
利用者は、自宅のパソコンからでも記事を検索できるようになる。\n\
図書館は、地域の歴史を調べる学生や研究者にとって大きな助けになると期待している。\n";

/// A Chinese article (its own text).
const ZH: &str = "这座城市的公共自行车系统今年扩大到了郊区，新增了两百多个站点。\n\
市交通局表示，过去一年里，每天的平均骑行次数比前年增加了将近三成。\n\
不少居民说，从地铁站骑车回家比等公交车快得多，而且费用也更便宜。\n\
为了减少车辆堆积，运营公司在早晚高峰时段安排专人调配车辆。\n\
交通局还计划在明年修建更多的自行车专用道，让骑行更加安全。\n";

/// Another Chinese article.
const ZH2: &str = "今年夏天雨水偏多，山区的几条公路多次因为塌方而中断。\n\
气象部门提醒游客，出行前要查看天气预报，避免在暴雨期间进入山谷。\n\
当地政府已经拨出专款，用于加固容易发生滑坡的路段。\n\
工程人员说，大部分抢修工作将在国庆节前完成。\n";

/// A Thai text (its own text): no spaces between words, none at sentence ends but a space.
const TH: &str = "ห้องสมุดประชาชนของเมืองเปิดบริการยืมหนังสือผ่านเว็บไซต์ตั้งแต่ต้นปีนี้ \
ผู้ใช้สามารถค้นหาหนังสือและจองล่วงหน้าได้จากบ้าน\n\
เจ้าหน้าที่บอกว่าจำนวนผู้ยืมหนังสือเพิ่มขึ้นเกือบสองเท่าเมื่อเทียบกับปีที่แล้ว \
โดยเฉพาะหนังสือสำหรับเด็กและนิยายแปล\n\
ห้องสมุดยังจัดกิจกรรมอ่านหนังสือให้เด็กฟังทุกวันเสาร์ และมีอาสาสมัครช่วยสอนการใช้คอมพิวเตอร์ให้ผู้สูงอายุ\n";

fn rows_of(
    files: &[(&str, &str)],
    options: &Options,
) -> Vec<(String, String, String, usize, usize)> {
    let owned: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let dir = corpus(&owned);
    let rows = scan_rows(&[dir.path().to_path_buf()], options);
    assert_well_formed(dir.path(), &rows);
    rows.into_iter()
        .map(|r| {
            let keep = r.keep_doc.as_deref().unwrap_or("").to_string();
            (
                r.doc.to_string(),
                r.kind.as_str().to_string(),
                keep,
                r.start,
                r.end,
            )
        })
        .collect()
}

/// `text` with its `n`-th character replaced by `c`.
fn replace_char(text: &str, n: usize, c: char) -> String {
    text.chars()
        .enumerate()
        .map(|(i, x)| if i == n { c } else { x })
        .collect()
}

#[test]
fn a_japanese_article_copied_with_one_character_changed_is_a_near_duplicate() {
    let copy = replace_char(JA, 40, '県');
    assert_ne!(copy, JA);
    let rows = rows_of(
        &[("a.txt", JA), ("b.txt", &copy), ("c.txt", ZH)],
        &Options::default(),
    );
    assert_eq!(
        rows.iter()
            .map(|r| (&r.0[..], &r.1[..], &r.2[..]))
            .collect::<Vec<_>>(),
        [("b.txt", "near_duplicate", "a.txt")],
        "{rows:?}"
    );
}

#[test]
fn a_thai_text_and_its_near_copy_lose_nothing_but_the_copy() {
    let copy = replace_char(TH, 100, 'ก');
    let rows = rows_of(&[("a.txt", TH), ("b.txt", &copy)], &Options::default());
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (&rows[0].0[..], &rows[0].1[..]),
        ("b.txt", "near_duplicate")
    );
    // Alone, or forced through the furniture classifier, Thai prose keeps every byte.
    for pages in [dedup::detect::Pages::Auto, dedup::detect::Pages::All] {
        let o = dedup::pipeline::Settings {
            pages,
            ..Default::default()
        }
        .options()
        .unwrap();
        assert_eq!(rows_of(&[("th.txt", TH)], &o), [], "{pages:?}");
    }
}

#[test]
fn a_chinese_paragraph_repeated_in_its_document_is_cut_once_and_the_first_copy_stays() {
    let paragraph =
        "调查显示，超过六成的受访者每周至少骑行三次，其中大多数人用它来往返于地铁站和住所之间，\
                     也有不少人在周末骑车去公园或者郊外游玩。";
    // Repeated after another paragraph, exactly, then with one character changed.
    for copy in [paragraph.to_string(), replace_char(paragraph, 20, '多')] {
        let doc = format!("{ZH}{paragraph}\n{ZH2}{copy}\n");
        let rows = rows_of(&[("zh.txt", &doc)], &Options::default());
        let start = doc.len() - copy.len() - 1;
        assert_eq!(
            rows,
            [(
                "zh.txt".to_string(),
                "repeated_paragraph".to_string(),
                "zh.txt".to_string(),
                start,
                doc.len()
            )],
            "{copy}"
        );
    }
    // Two different sentences that share all but one word are not repeats of each other.
    let doc = format!("{ZH}为了减少车辆堆积，运营公司在周末时段安排专人调配车辆。\n");
    assert_eq!(rows_of(&[("zh.txt", &doc)], &Options::default()), []);
}

#[test]
fn a_korean_paragraph_repeated_is_a_repeat_not_boilerplate() {
    let ko = "시립 도서관은 올해부터 오래된 신문을 디지털로 바꾸는 작업을 시작했다.\n\
              담당자는 내년 봄에는 누구나 집에서 기사를 검색할 수 있을 것이라고 말했다.\n\
              시립 도서관은 올해부터 오래된 신문을 디지털로 바꾸는 작업을 시작했다.\n";
    let rows = rows_of(&[("ko.txt", ko)], &Options::default());
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].1, "repeated_paragraph");
}

#[test]
fn mixed_script_lines_match_on_their_words_and_letters() {
    // A Japanese line with English names and a version number: the same line in three
    // documents is template text, whatever its scripts; a different version is not the same.
    let line = "Debian 12 の apt-get で Firefox ESR をインストールします";
    let docs: Vec<String> = [JA, ZH, TH]
        .iter()
        .map(|body| format!("{line}\n{body}"))
        .collect();
    let files: Vec<(&str, &str)> = vec![
        ("1.txt", &docs[0]),
        ("2.txt", &docs[1]),
        ("3.txt", &docs[2]),
    ];
    let rows = rows_of(&files, &Options::default());
    let flagged: Vec<_> = rows.iter().filter(|r| r.1 == "boilerplate").collect();
    assert_eq!(flagged.len(), 3, "{rows:?}");
    assert!(flagged.iter().all(|r| r.3 == 0 && r.4 >= line.len()));
    let other = docs[2].replace("Debian 12", "Debian 13");
    let files = vec![
        ("1.txt", &docs[0][..]),
        ("2.txt", &docs[1][..]),
        ("3.txt", &other[..]),
    ];
    let rows = rows_of(&files, &Options::default());
    assert!(rows.iter().all(|r| r.1 != "boilerplate"), "{rows:?}");
}

#[test]
fn a_chinese_page_loses_its_menu_and_keeps_its_article() {
    // Three pages of one site: a menu of short items, the article, a footer line.
    let menu = "首页\n新闻\n体育\n财经\n科技\n";
    let footer = "版权所有 本网站保留所有权利\n";
    let bodies = [ZH, JA, ZH2];
    let pages: Vec<String> = bodies
        .iter()
        .map(|b| format!("{menu}\n{b}\n{footer}"))
        .collect();
    let files: Vec<(&str, &str)> = vec![
        ("1.txt", &pages[0]),
        ("2.txt", &pages[1]),
        ("3.txt", &pages[2]),
    ];
    let rows = rows_of(&files, &Options::default());
    for (i, page) in pages.iter().enumerate() {
        let name = format!("{}.txt", i + 1);
        let cut: String = rows
            .iter()
            .filter(|r| r.0 == name && r.1 == "boilerplate")
            .map(|r| &page[r.3..r.4])
            .collect();
        for line in bodies[i].lines() {
            assert!(!cut.contains(line), "{name}: article line cut: {line}");
        }
        assert!(
            cut.contains("首页") && cut.contains("版权所有"),
            "{name}: {cut:?}"
        );
    }
}
