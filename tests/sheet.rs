//! Scanner CSVs as users bring them: real exports of each supported scanner, every encoding
//! Excel writes, broken rows, and layout files for sheets nobody built in.

use examforge::sheet::{
    detect_layout, parse_cell, parse_layout_file, CellKind, Encoding, ItemRef, Letters, Rejected,
    Sheet, SheetError, SheetRow, Status,
};
use std::fs::File;

fn fixture(name: &str) -> Sheet<File> {
    let path = format!(
        "{}/tests/fixtures/sheets/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    Sheet::open(name, File::open(&path).unwrap(), None).unwrap()
}

fn all_rows<R: std::io::Read>(sheet: &mut Sheet<R>) -> Vec<SheetRow> {
    sheet.rows().map(|r| r.unwrap()).collect()
}

fn cells(row: &SheetRow) -> Vec<(ItemRef, String)> {
    row.answers()
        .map(|(item, text)| (item.clone(), text.to_string()))
        .collect()
}

fn texts(row: &SheetRow) -> Vec<&str> {
    row.answers().map(|(_, t)| t).collect()
}

fn numbers(range: std::ops::RangeInclusive<u32>) -> Vec<ItemRef> {
    range.map(ItemRef::Number).collect()
}

fn items(row: &SheetRow) -> Vec<ItemRef> {
    row.answers().map(|(item, _)| item.clone()).collect()
}

#[test]
fn zipgrade_2019_export() {
    let mut sheet = fixture("A1_zipgrade_full_2019.csv");
    assert_eq!(sheet.layout().name, "zipgrade");
    assert_eq!(sheet.encoding(), Encoding::Utf8);
    let rows = all_rows(&mut sheet);
    assert_eq!(rows.len(), 3);
    let walter = &rows[0];
    assert_eq!(walter.line, 2);
    assert_eq!(walter.candidate, "44304");
    assert_eq!(walter.name, "Walter Lee");
    assert_eq!(walter.team, "2nd Period");
    assert_eq!(walter.paper, "1");
    assert_eq!(items(walter), numbers(1..=30));
    assert_eq!(&texts(walter)[..3], ["D", "B", "C"]);
    assert_eq!(&texts(walter)[25..], ["BD", "AD", "AD", "AD", "AC"]);
    assert_eq!(rows[1].candidate, "77375");
    assert_eq!(rows[1].paper, "2");
    assert_eq!(rows[2].name, "Jessica Foster");
    assert_eq!(rows[2].line, 4);
}

#[test]
fn zipgrade_2018_export_with_padding_columns() {
    let mut sheet = fixture("A1b_zipgrade_full_2018_legacy.csv");
    assert_eq!(sheet.layout().name, "zipgrade");
    let rows = all_rows(&mut sheet);
    assert_eq!(rows.len(), 2);
    let guido = &rows[0];
    assert_eq!(guido.candidate, "95620");
    assert_eq!(guido.name, "Guido Van Rossum");
    assert_eq!(guido.paper, "A");
    // The quiz has 40 questions; the sheet pads to 50 with empty responses.
    assert_eq!(items(guido), numbers(1..=50));
    assert_eq!(texts(guido)[39], "C");
    assert!(texts(guido)[40..].iter().all(|t| t.is_empty()));
    let james = &rows[1];
    assert_eq!(james.candidate, "23472");
    // Item 22 was left blank.
    assert_eq!(james.answer(21), Some(""));
    let tokens = &sheet.layout().tokens;
    let q22 = parse_cell(
        james.answer(21).unwrap(),
        CellKind::Single { options: 5 },
        tokens,
    );
    assert_eq!(q22.unwrap().status, Status::Blank);
}

#[test]
fn amc_ticked_letters_export() {
    let mut sheet = fixture("A2b_amc_export_ticked_AB.csv");
    let layout = sheet.layout().clone();
    assert_eq!(layout.name, "amc");
    assert_eq!(layout.delimiter, b',');
    let rows = all_rows(&mut sheet);
    let id = |s: &str| ItemRef::Id(s.to_string());
    assert_eq!(rows[0].candidate, "11230");
    assert_eq!(rows[0].name, "Avogadro Amedeo");
    assert_eq!(
        cells(&rows[0]),
        [
            (id("capitals"), "B".to_string()),
            (id("multi"), "AC".to_string()),
            (id("sqrt2"), "A".to_string())
        ]
    );
    // Copernic ticked only the "none of the above" box of `multi`: the item's last option.
    let none = parse_cell(
        rows[2].answer(1).unwrap(),
        CellKind::Multiple { options: 5 },
        &layout.tokens,
    )
    .unwrap();
    assert_eq!((none.status, none.letters.to_vec()), (Status::Ok, vec![4]));
    assert_eq!(rows[1].answer(2), Some(""));
}

#[test]
fn amc_ticked_box_list_export() {
    let mut sheet = fixture("A2c_amc_export_ticked_01.csv");
    let layout = sheet.layout().clone();
    assert_eq!((layout.name.as_str(), layout.delimiter), ("amc", b';'));
    let rows = all_rows(&mut sheet);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].candidate, "11232");
    assert_eq!(rows[0].answer(1), Some("1;0;1;0;0"));
    let multi = parse_cell(
        "1;0;1;0;0",
        CellKind::Multiple { options: 5 },
        &layout.tokens,
    )
    .unwrap();
    assert_eq!(multi.letters.to_vec(), [0, 2]);
    let capitals = parse_cell("0;1;0;0", CellKind::Single { options: 4 }, &layout.tokens).unwrap();
    assert_eq!(
        (capitals.status, capitals.letters.to_vec()),
        (Status::Ok, vec![1])
    );
}

#[test]
fn amc_export_without_ticked_boxes_says_how_to_export_again() {
    let path = format!(
        "{}/tests/fixtures/sheets/A2_amc_export_default_gui.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let err = Sheet::open("marks.csv", File::open(path).unwrap(), None)
        .err()
        .unwrap();
    assert!(matches!(err, SheetError::AmcWithoutTicked { .. }));
    assert_eq!(
        err.to_string(),
        "marks.csv:1: this AMC export has scores but no `TICKED:` answer columns"
    );
    assert!(err.hint().unwrap().contains("ticked=AB"));
}

#[test]
fn formscanner_without_groups() {
    let mut sheet = fixture("A4_formscanner_results_groups_off.csv");
    assert_eq!(sheet.layout().name, "formscanner");
    assert_eq!(sheet.layout().delimiter, b';');
    let rows = all_rows(&mut sheet);
    // No id field in the template: the scanned file's name identifies the sheet.
    assert_eq!(rows[0].candidate, "scan_0002.jpg");
    assert_eq!(items(&rows[0]), numbers(1..=5));
    assert_eq!(texts(&rows[0]), ["B", "A|C", "", "D", "A"]);
    assert_eq!(texts(&rows[1]), ["C", "B|D", "A", "", "E"]);
}

#[test]
fn formscanner_with_groups_and_a_barcode_id() {
    let mut sheet = fixture("A4b_formscanner_results_groups_on.csv");
    let rows = all_rows(&mut sheet);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].candidate, "2024001357");
    assert_eq!(items(&rows[0]), numbers(1..=4));
    assert_eq!(texts(&rows[0]), ["A", "A|B|D", "", "C"]);
    let cell = parse_cell(
        "A|B|D",
        CellKind::Multiple { options: 4 },
        &sheet.layout().tokens,
    )
    .unwrap();
    assert_eq!(cell.letters.to_string(), "ABD");
}

#[test]
fn omrchecker_with_a_roll_number() {
    let mut sheet = fixture("A5_omrchecker_Results_sample1.csv");
    assert_eq!(sheet.layout().name, "omrchecker");
    let rows = all_rows(&mut sheet);
    assert_eq!(rows[0].candidate, "E503110026");
    assert_eq!(rows[0].paper, "");
    assert_eq!(items(&rows[0]), numbers(1..=20));
    assert_eq!(&texts(&rows[0])[..4], ["B", "", "D", "B"]);
}

#[test]
fn omrchecker_without_an_id_field_uses_the_file() {
    let mut sheet = fixture("A5b_omrchecker_Results_weighted.csv");
    let rows = all_rows(&mut sheet);
    assert_eq!(rows[0].candidate, "adrian_omr.png");
    assert_eq!(rows[1].candidate, "adrian_omr_2.png");
    assert_eq!(texts(&rows[1]), ["C", "E", "A", "B", "B"]);
}

#[test]
fn omrchecker_booklet_number_is_the_paper() {
    let mut sheet = fixture("A5d_omrchecker_Results_multimark_and_emptyValue.csv");
    let rows = all_rows(&mut sheet);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].candidate, "omr-1.png");
    assert_eq!(rows[0].paper, "0190880");
    assert_eq!(rows[1].paper, "0no22nonono");
    assert_eq!(items(&rows[0]).len(), 200);
    let multi = rows[0]
        .answers()
        .find(|(_, t)| *t == "AC")
        .map(|(item, _)| item.clone());
    assert!(multi.is_some());
}

#[test]
fn openmcr_results() {
    let mut sheet = fixture("A6_openmcr_results.csv");
    assert_eq!(sheet.layout().name, "openmcr");
    let rows = all_rows(&mut sheet);
    assert_eq!(rows[0].candidate, "0000123456");
    assert_eq!(rows[0].name, "ADA LOVELACE");
    assert_eq!(rows[0].paper, "A");
    assert_eq!(rows[1].name, "ALAN M TURING");
    assert_eq!(rows[1].paper, "B");
    assert_eq!(items(&rows[0]), numbers(1..=10));
    let single = CellKind::Single { options: 5 };
    let q2 = parse_cell(rows[0].answer(1).unwrap(), single, &sheet.layout().tokens).unwrap();
    assert_eq!(q2.status, Status::Multi);
    assert_eq!(q2.letters.to_vec(), [0, 2]);
}

#[test]
fn openmcr_f_and_g_options() {
    let mut sheet = fixture("A6b_openmcr_results_F_G_options.csv");
    let tokens = sheet.layout().tokens.clone();
    let rows = all_rows(&mut sheet);
    let single = CellKind::Single { options: 5 };
    let read = |i| parse_cell(rows[0].answer(i).unwrap(), single, &tokens).unwrap();
    assert_eq!(
        (read(1).status, read(1).letters),
        (Status::Multi, Letters::new())
    );
    assert_eq!(read(2).status, Status::Blank);
    assert_eq!(read(3).letters.to_vec(), [3]);
}

/// The same small sheet, as each encoding Excel and scanners write it.
const CHINESE: &str = "准考证号,姓名,单位,卷别,1,2,3\n\
    2024001,张三,环保局,A,A,BD,√\n\
    2024002,李四,第一中学,B,C,,错\n";

fn utf16(text: &str, little: bool) -> Vec<u8> {
    let mut bytes = if little {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if little {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    bytes
}

fn open_bytes(bytes: Vec<u8>) -> (Encoding, u8, Vec<SheetRow>) {
    let mut sheet = Sheet::open("answers.csv", std::io::Cursor::new(bytes), None).unwrap();
    assert_eq!(sheet.layout().name, "examforge");
    let (enc, delim) = (sheet.encoding(), sheet.layout().delimiter);
    (enc, delim, all_rows(&mut sheet))
}

#[test]
fn every_encoding_reads_to_the_same_rows() {
    let (enc, delim, expected) = open_bytes(CHINESE.as_bytes().to_vec());
    assert_eq!((enc, delim), (Encoding::Utf8, b','));
    assert_eq!(expected.len(), 2);
    assert_eq!(expected[0].candidate, "2024001");
    assert_eq!(expected[0].name, "张三");
    assert_eq!(expected[0].team, "环保局");
    assert_eq!(expected[0].paper, "A");
    assert_eq!(texts(&expected[0]), ["A", "BD", "√"]);
    assert_eq!(expected[1].name, "李四");
    assert_eq!(texts(&expected[1]), ["C", "", "错"]);

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(CHINESE.as_bytes());
    let tabbed = CHINESE.replace(',', "\t");
    let (gbk, _, _) = encoding_rs::GB18030.encode(CHINESE);
    let cases = [
        (bom, Encoding::Utf8Bom, b','),
        (utf16(&tabbed, true), Encoding::Utf16Le, b'\t'),
        (utf16(CHINESE, false), Encoding::Utf16Be, b','),
        (gbk.into_owned(), Encoding::Gb18030, b','),
    ];
    for (bytes, encoding, delimiter) in cases {
        let (enc, delim, rows) = open_bytes(bytes);
        assert_eq!((enc, delim), (encoding, delimiter));
        assert_eq!(rows, expected, "{encoding}");
    }
}

#[test]
fn bad_rows_are_rejected_with_their_line_and_fields() {
    let csv = "candidate,name,team,paper,1,2\n\
        001,Ann,Blue,A,A,B\n\
        002,Bob,Blue,A,C\n\
        ,Cat,Red,B,A,A\n\
        004,Dan,Red,B,A,B,C\n\
        005,\"Eve\nMay\",Red,A,D,D\n";
    let mut sheet = Sheet::open("answers.csv", csv.as_bytes(), None).unwrap();
    let rows: Vec<Result<SheetRow, Rejected>> = sheet.rows().collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0].as_ref().unwrap().candidate, "001");
    assert_eq!(
        rows[1].as_ref().unwrap_err(),
        &Rejected {
            line: 3,
            reason: "the row has 5 fields but the header has 6".into(),
            reason_zh: "这一行有 5 列，而表头有 6 列".into(),
            raw: "002,Bob,Blue,A,C".into(),
        }
    );
    assert_eq!(
        rows[2].as_ref().unwrap_err(),
        &Rejected {
            line: 4,
            reason: "the candidate id (column `candidate`) is empty".into(),
            reason_zh: "考号（`candidate` 列）是空的".into(),
            raw: ",Cat,Red,B,A,A".into(),
        }
    );
    let long = rows[3].as_ref().unwrap_err();
    assert_eq!(
        (long.line, long.reason.as_str()),
        (5, "the row has 7 fields but the header has 6")
    );
    let eve = rows[4].as_ref().unwrap();
    assert_eq!((eve.line, eve.name.as_str()), (6, "Eve\nMay"));
}

#[test]
fn an_unknown_header_lists_the_layouts_and_shows_a_layout_file() {
    let err = Sheet::open("scan.csv", "Matrikel,Antwort1\n1,A\n".as_bytes(), None)
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "scan.csv:1: unknown answer-sheet layout (header: `Matrikel`, `Antwort1`)"
    );
    let hint = err.hint().unwrap();
    assert!(hint.contains("zipgrade, omrchecker, formscanner, openmcr"));
    assert!(hint.contains("--layout FILE.toml"));
    assert!(hint.contains("pattern = \"Q{n}\""));
}

#[test]
fn an_empty_file_is_an_error() {
    for text in ["", "\r\n\n", "  \n1,2\n"] {
        let err = Sheet::open("empty.csv", text.as_bytes(), None)
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "empty.csv:1: the file is empty; a header row is needed"
        );
    }
}

#[test]
fn detection_works_from_a_bare_header() {
    let layout = detect_layout("x.csv", &["考号", "姓名", "试卷类型", "1", "2"], b',').unwrap();
    assert_eq!(layout.candidate, 0);
    assert_eq!(layout.name_cols, [1]);
    assert_eq!(layout.paper, Some(2));
    assert_eq!(
        layout.answers,
        [(ItemRef::Number(1), 3), (ItemRef::Number(2), 4)]
    );
}

#[test]
fn a_typo_in_a_layout_file_is_shown_at_its_line_and_column() {
    let text = "[columns]\ncandidate = \"Student ID\"\n\n[answers]\npatern = \"Q{n}\"\n";
    let err = parse_layout_file("reader.toml", text).unwrap_err();
    match &err {
        SheetError::LayoutFile(d) => {
            let loc = d.iter().next().unwrap().location.clone().unwrap();
            assert_eq!((loc.line, loc.col), (5, 1));
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "reader.toml:5:1: unknown key `patern` in `[answers]`"
    );
    assert_eq!(err.hint().unwrap(), "did you mean `pattern`?");
}

#[test]
fn a_layout_file_maps_a_chinese_sheet_in_gbk() {
    let layout = parse_layout_file(
        "school.toml",
        r#"
        [columns]
        candidate = "考生编号"
        name = "考生姓名"
        team = 3
        paper = "AB卷"

        [answers]
        pattern = "第{n}题"

        [tokens]
        blank = ["未作答"]
        "#,
    )
    .unwrap();
    let csv = "序号;考生编号;学校;考生姓名;AB卷;第1题;第2题;第3题\n\
        1;20240101;实验中学;王五;B;Ａ;A、C;未作答\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(csv);
    let mut sheet = Sheet::open("成绩.csv", &gbk[..], Some(&layout)).unwrap();
    assert_eq!(sheet.encoding(), Encoding::Gb18030);
    assert_eq!(sheet.layout().name, "school.toml");
    assert_eq!(sheet.layout().delimiter, b';');
    let tokens = sheet.layout().tokens.clone();
    let rows = all_rows(&mut sheet);
    let row = &rows[0];
    assert_eq!(row.candidate, "20240101");
    assert_eq!(row.name, "王五");
    assert_eq!(row.team, "实验中学");
    assert_eq!(row.paper, "B");
    assert_eq!(items(row), numbers(1..=3));
    let multiple = CellKind::Multiple { options: 4 };
    let read = |i| parse_cell(row.answer(i).unwrap(), multiple, &tokens).unwrap();
    assert_eq!(read(0).letters.to_vec(), [0]);
    assert_eq!(read(1).letters.to_vec(), [0, 2]);
    assert_eq!(read(2).status, Status::Blank);
}

#[test]
fn a_layout_file_with_a_column_range() {
    let layout = parse_layout_file(
        "range.toml",
        "delimiter = \"tab\"\n[columns]\ncandidate = 1\nname = [3, 2]\n[answers]\ncolumns = \"D:F\"\nstart = 11\n",
    )
    .unwrap();
    let csv = "id\tfirst\tlast\ta\tb\tc\n7\tAda\tLovelace\tA\tB\tC\n";
    let mut sheet = Sheet::open("t.tsv", csv.as_bytes(), Some(&layout)).unwrap();
    let rows = all_rows(&mut sheet);
    assert_eq!(rows[0].name, "Lovelace Ada");
    assert_eq!(
        cells(&rows[0]),
        [
            (ItemRef::Number(11), "A".to_string()),
            (ItemRef::Number(12), "B".to_string()),
            (ItemRef::Number(13), "C".to_string())
        ]
    );
}

#[test]
fn a_layout_file_with_first_and_count() {
    let layout = parse_layout_file(
        "first.toml",
        "[columns]\ncandidate = \"ID\"\n[answers]\nfirst = \"a\"\ncount = 2\n",
    )
    .unwrap();
    let mut sheet = Sheet::open("t.csv", "id,a,b,c\n9,A,B,C\n".as_bytes(), Some(&layout)).unwrap();
    let rows = all_rows(&mut sheet);
    assert_eq!(rows[0].candidate, "9");
    assert_eq!(texts(&rows[0]), ["A", "B"]);
}

#[test]
fn a_layout_file_can_change_the_tokens_of_a_built_in_layout() {
    let layout = parse_layout_file(
        "omr.toml",
        "base = \"omrchecker\"\n[tokens]\nblank = [\"no\"]\n",
    )
    .unwrap();
    let path = format!(
        "{}/tests/fixtures/sheets/A5d_omrchecker_Results_multimark_and_emptyValue.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let sheet = Sheet::open("r.csv", File::open(path).unwrap(), Some(&layout)).unwrap();
    assert_eq!(sheet.layout().name, "omr.toml");
    assert_eq!(sheet.layout().answers.len(), 200);
    let tokens = &sheet.layout().tokens;
    assert_eq!(tokens.blank, ["no"]);
    let cell = parse_cell("NO", CellKind::Single { options: 4 }, tokens).unwrap();
    assert_eq!(cell.status, Status::Blank);
}

#[test]
fn a_layout_file_naming_a_missing_column_suggests_the_near_one() {
    let layout = parse_layout_file(
        "l.toml",
        "[columns]\ncandidate = \"Studnet\"\n[answers]\npattern = \"Q{n}\"\n",
    )
    .unwrap();
    let err = Sheet::open("s.csv", "Student,Q1\n1,A\n".as_bytes(), Some(&layout))
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "s.csv:1: column `Studnet` is not in the header (layout `l.toml`)"
    );
    assert!(err.hint().unwrap().starts_with("did you mean `Student`?"));
}

#[test]
fn windows_line_endings_and_quoted_fields() {
    let csv = "\"candidate\",\"name\",\"1\",\"2\"\r\n\"01\",\"Lee, Ann\",\"A\",\"B,D\"\r\n\r\n\"02\",\"Kim\",\"\",\"C\"\r\n";
    let mut sheet = Sheet::open("crlf.csv", csv.as_bytes(), None).unwrap();
    assert_eq!(sheet.layout().delimiter, b',');
    let rows = all_rows(&mut sheet);
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].line, rows[0].name.as_str()), (2, "Lee, Ann"));
    assert_eq!(texts(&rows[0]), ["A", "B,D"]);
    assert_eq!((rows[1].line, rows[1].candidate.as_str()), (4, "02"));
}

#[test]
fn lines_count_blank_lines_and_a_missing_final_newline() {
    let csv = "\r\n\ncandidate;1\n\n\n01;A\n02;B;C\n\n03;C";
    let mut sheet = Sheet::open("gaps.csv", csv.as_bytes(), None).unwrap();
    assert_eq!(sheet.layout().delimiter, b';');
    let lines: Vec<(u64, bool)> = sheet
        .rows()
        .map(|r| match r {
            Ok(row) => (row.line, true),
            Err(rejected) => (rejected.line, false),
        })
        .collect();
    assert_eq!(lines, [(6, true), (7, false), (9, true)]);
}
