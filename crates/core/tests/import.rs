//! Price-file import: the three formats, auto-detection, and located errors for bad rows.

use kube_rightsize_core::model::{CapacityType, Provider};
use kube_rightsize_core::pricing::import::{
    ImportError, PriceFileFormat, detect_format, import_prices, write_price_file,
};
use kube_rightsize_core::pricing::sources::PriceTable;

use CapacityType::{OnDemand, Spot};
use Provider::{Aws, Azure, Gcp};

fn price(t: &PriceTable, p: Provider, it: &str, region: &str, c: CapacityType) -> Option<f64> {
    t.get(p, it, region, c).map(|e| e.usd_per_hour)
}

fn err(name: &str, text: &str) -> ImportError {
    import_prices(name, text.as_bytes()).expect_err("should be rejected")
}

#[test]
fn csv_file() {
    let bytes = include_bytes!("fixtures/cost/prices.csv");
    assert_eq!(detect_format(bytes), Some(PriceFileFormat::Csv));
    let got = import_prices("prices.csv", bytes).unwrap();
    assert_eq!(got.format, PriceFileFormat::Csv);
    assert_eq!(got.table.len(), 3);
    assert!(got.warnings.is_empty());
    assert_eq!(
        price(&got.table, Aws, "m5.large", "us-east-1", OnDemand),
        Some(0.08)
    );
    assert_eq!(
        price(&got.table, Aws, "m5.xlarge", "us-east-1", Spot),
        Some(0.07)
    );
    // Quoted fields; Azure matches case-insensitively and by slug.
    assert_eq!(
        price(&got.table, Azure, "STANDARD_D4S_V5", "EastUS", OnDemand),
        Some(0.2)
    );
    assert_eq!(
        price(&got.table, Azure, "d4sv5", "eastus", OnDemand),
        Some(0.2)
    );
    assert_eq!(got.table.description, "price file prices.csv");
}

#[test]
fn csv_accepts_crlf_bom_and_reports_duplicates() {
    let text = "\u{feff}provider,instance_type,region,capacity_type,usd_per_hour\r\n\
                aws,m5.large,us-east-1,on-demand,0.1\r\n\
                # later rows win\r\n\
                aws,m5.large,us-east-1,on_demand,$0.11\r\n";
    let got = import_prices("p.csv", text.as_bytes()).unwrap();
    assert_eq!(
        price(&got.table, Aws, "m5.large", "us-east-1", OnDemand),
        Some(0.11)
    );
    assert_eq!(got.warnings.len(), 1);
    assert_eq!(got.warnings[0].code, "duplicate_price");
    assert_eq!(
        got.warnings[0].message,
        "p.csv: line 4 (aws m5.large us-east-1 on_demand) repeat an earlier price for the same \
         provider, type, region and capacity type; the later one is used"
    );
}

#[test]
fn csv_bad_rows_are_located() {
    const H: &str = "provider,instance_type,region,capacity_type,usd_per_hour\n";
    let cases = [
        (
            format!("{H}ibm,bx2-2x8,us-south,on_demand,0.1\n"),
            "p.csv:2:1: unknown provider `ibm`; expected a name such as aws, gcp or azure",
        ),
        (
            format!("# c\n\n{H}aws,m5.large,us-east-1,cheap,0.1\n"),
            "p.csv:4:24: unknown capacity_type `cheap`; expected on_demand, spot or reserved",
        ),
        (
            format!("{H}aws,m5.large,us-east-1,on_demand,abc\n"),
            "p.csv:2:34: usd_per_hour `abc` is not a non-negative number of USD per hour",
        ),
        (
            format!("{H}aws,m5.large,us-east-1,on_demand,-0.1\n"),
            "p.csv:2:34: usd_per_hour `-0.1` is not a non-negative number of USD per hour",
        ),
        (
            format!("{H}aws,m5.large,us-east-1,on_demand\n"),
            "p.csv:2:1: expected 5 fields (provider,instance_type,region,capacity_type,usd_per_hour), found 4",
        ),
        (
            format!("{H}aws,,us-east-1,on_demand,0.1\n"),
            "p.csv:2:5: instance_type is empty",
        ),
        (
            format!("{H}aws,\"m5.large,us-east-1,on_demand,0.1\n"),
            "p.csv:2:5: a quoted field is not closed",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err("p.csv", &text).to_string(), want, "{text}");
    }
    let e = err("p.csv", "instance,price\nm5.large,0.1\n");
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (
            1,
            1,
            "expected the CSV header `provider,instance_type,region,capacity_type,usd_per_hour`, found `instance,price`"
        )
    );
    assert!(e.hint.is_some());
    assert_eq!(err("p.csv", "  \n").message, "the price file is empty");
    assert_eq!(
        err("p.csv", "# only\n").message,
        "the price file has only comments and blank lines"
    );
    assert_eq!(
        import_prices("p.bin", &[0x70, 0xff, 0xfe])
            .unwrap_err()
            .to_string(),
        "p.bin:1:2: the price file is not UTF-8 text\nhint: save the price file as UTF-8 text"
    );
}

#[test]
fn vantage_ec2_feed() {
    let bytes = include_bytes!("fixtures/cost/vantage-ec2.json");
    assert_eq!(detect_format(bytes), Some(PriceFileFormat::VantageEc2));
    let got = import_prices("instances.json", bytes).unwrap();
    assert_eq!(got.format, PriceFileFormat::VantageEc2);
    let t = &got.table;
    assert_eq!(
        price(t, Aws, "m5.large", "us-east-1", OnDemand),
        Some(0.096)
    );
    // No spot_avg: the midpoint of spot_min and spot_max, (0.03 + 0.04) / 2.
    let mid = price(t, Aws, "m5.large", "us-east-1", Spot).unwrap();
    assert!((mid - 0.035).abs() < 1e-12);
    assert_eq!(price(t, Aws, "m5.large", "eu-west-1", Spot), Some(0.0355));
    assert_eq!(
        price(t, Aws, "m5.large", "eu-west-1", OnDemand),
        Some(0.107)
    );
    assert_eq!(
        price(t, Aws, "m5.xlarge", "us-east-1", OnDemand),
        Some(0.192)
    );
    // "N/A" and "0" mean missing.
    assert_eq!(price(t, Aws, "m5.xlarge", "us-east-1", Spot), None);
    assert_eq!(price(t, Aws, "u-24tb1.metal", "us-east-1", OnDemand), None);
    assert_eq!(t.len(), 5);
    assert_eq!(got.warnings.len(), 1);
    assert_eq!(
        got.warnings[0].message,
        "instances.json: 1 of 3 records have no Linux on-demand or spot price; skipped"
    );
    assert_eq!(
        t.description,
        "instances.vantage.sh EC2 feed instances.json"
    );
}

#[test]
fn vantage_azure_feed() {
    let bytes = include_bytes!("fixtures/cost/vantage-azure.json");
    assert_eq!(detect_format(bytes), Some(PriceFileFormat::VantageAzure));
    let got = import_prices("azure.json", bytes).unwrap();
    let t = &got.table;
    // Slugs: d4sv5 is Standard_D4s_v5, us-east is eastus, europe-west is westeurope.
    assert_eq!(
        price(t, Azure, "Standard_D4s_v5", "eastus", OnDemand),
        Some(0.192)
    );
    assert_eq!(
        price(t, Azure, "standard_d4s_v5", "EastUS", Spot),
        Some(0.0384)
    );
    assert_eq!(
        price(t, Azure, "Standard_D4s_v5", "westeurope", OnDemand),
        Some(0.23)
    );
    assert_eq!(
        price(t, Azure, "Standard_D2s_v3", "eastus", OnDemand),
        Some(0.096)
    );
    assert_eq!(t.len(), 4);
    assert_eq!(got.warnings.len(), 1);
    assert_eq!(got.warnings[0].code, "unknown_region");
    assert_eq!(
        got.warnings[0].message,
        "azure.json: Azure region slugs without a known ARM name were skipped: atlantis-north"
    );
}

#[test]
fn vantage_gcp_feed() {
    let bytes = include_bytes!("fixtures/cost/vantage-gcp.json");
    assert_eq!(detect_format(bytes), Some(PriceFileFormat::VantageGcp));
    let got = import_prices("gcp.json", bytes).unwrap();
    let t = &got.table;
    assert_eq!(
        price(t, Gcp, "n2-standard-4", "us-central1", OnDemand),
        Some(0.194236)
    );
    assert_eq!(
        price(t, Gcp, "n2-standard-4", "us-central1", Spot),
        Some(0.09212)
    );
    assert_eq!(
        price(t, Gcp, "e2-standard-4", "us-central1", OnDemand),
        Some(0.13402284)
    );
    assert_eq!(price(t, Gcp, "e2-standard-4", "us-central1", Spot), None);
    assert!(got.warnings.is_empty());
}

#[test]
fn vantage_feed_syntax_errors_are_located() {
    let e = err(
        "instances.json",
        "[\n  {\"instance_type\": \"m5.large\",\n   \"pricing\": {\"us-east-1\" 1}}\n]",
    );
    assert_eq!((e.line, e.column), (3, 28));
    assert_eq!(e.message, "expected `:`");
    let e = err("instances.json", "[{\"instance_type\": 5}]");
    assert_eq!(
        e.to_string(),
        "instances.json:1:20: invalid type: integer `5`, expected a string\nhint: a price file is a \
         CSV with the header `provider,instance_type,region,capacity_type,usd_per_hour` (nodes) \
         or `provider,region,item,unit,usd` (disks and services), an \
         instances.vantage.sh instances.json feed, or a kube-rightsize/prices/v1 JSON file"
    );
}

#[test]
fn kube_rightsize_price_file_round_trips() {
    let bytes = include_bytes!("fixtures/cost/prices-v1.json");
    assert_eq!(detect_format(bytes), Some(PriceFileFormat::KubeRightsize));
    let got = import_prices("prices-v1.json", bytes).unwrap();
    assert_eq!(got.format, PriceFileFormat::KubeRightsize);
    let t = &got.table;
    assert_eq!(t.as_of.as_deref(), Some("2026-02-01T08:00:00Z"));
    assert_eq!(price(t, Aws, "m5.large", "us-east-1", OnDemand), Some(0.09));
    assert_eq!(
        price(t, Gcp, "n2-standard-4", "us-central1", Spot),
        Some(0.085)
    );
    assert_eq!(
        price(t, Azure, "standard_d4s_v5", "eastus", OnDemand),
        Some(0.19)
    );
    let e = t.get(Aws, "m5.large", "us-east-1", OnDemand).unwrap();
    assert_eq!(e.source.as_deref(), Some("vantage-instances"));
    assert_eq!(e.fetched_at.as_deref(), Some("2026-02-01T07:59:00Z"));

    let written = write_price_file(t, "2026-02-02T00:00:00Z", &[]);
    assert!(written.starts_with("{\n  \"schema\": \"kube-rightsize/prices/v1\""));
    let again = import_prices("again.json", written.as_bytes()).unwrap();
    assert_eq!(again.table.len(), 3);
    for entry in t.iter() {
        let back = again
            .table
            .get(
                entry.provider,
                &entry.instance_type,
                &entry.region,
                entry.capacity_type,
            )
            .unwrap();
        assert_eq!(back, entry);
    }
}

#[test]
fn kube_rightsize_price_file_bad_rows_are_located() {
    let file = |row: &str| {
        format!(
            "{{\n  \"schema\": \"kube-rightsize/prices/v1\",\n  \"generated_at\": \"2026-02-01T00:00:00Z\",\n  \"prices\": [\n    {row}\n  ]\n}}\n"
        )
    };
    let cases = [
        (
            r#"{"provider": "ibm", "instance_type": "x", "region": "r", "capacity_type": "spot", "usd_per_hour": 1}"#,
            "p.json:5:22: unknown provider `ibm`; expected a name such as aws, gcp or azure",
        ),
        (
            r#"{"provider": "aws", "instance_type": "m5.large", "region": "us-east-1", "capacity_type": "spot", "usd_per_hour": -1}"#,
            "p.json:5:120: usd_per_hour `-1` is not a non-negative number of USD per hour",
        ),
        (
            r#"{"provider": "aws", "instance_type": "m5.large", "region": "us-east-1", "capacity_type": "cheap", "usd_per_hour": 1}"#,
            "p.json:5:100: unknown capacity_type `cheap`; expected on_demand, spot or reserved",
        ),
        (
            r#"{"provider": "aws", "instance_type": "m5.large", "capacity_type": "spot", "usd_per_hour": 1}"#,
            "p.json:5:96: missing field `region`",
        ),
    ];
    for (row, want) in cases {
        assert_eq!(err("p.json", &file(row)).to_string(), want, "{row}");
    }
    assert_eq!(
        err(
            "p.json",
            "{\"schema\": \"kube-rightsize/prices/v9\", \"prices\": []}"
        )
        .to_string(),
        "p.json:1:37: unsupported price file schema `kube-rightsize/prices/v9`; expected `kube-rightsize/prices/v1`"
    );
    let e = err(
        "cluster.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": []}",
    );
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (
            1,
            1,
            "a JSON object without `schema` is not a price file (expected `kube-rightsize/prices/v1`)"
        )
    );
}

#[test]
fn csv_and_price_files_may_give_a_gpu_price() {
    let text = "provider,instance_type,region,capacity_type,usd_per_hour,gpu_usd_per_hour\n\
                aws,g5.xlarge,us-east-1,on_demand,1.006,0.8\n\
                aws,m5.large,us-east-1,on_demand,0.096,\n";
    assert_eq!(detect_format(text.as_bytes()), Some(PriceFileFormat::Csv));
    let got = import_prices("gpu.csv", text.as_bytes()).unwrap();
    let g5 = got
        .table
        .get(Aws, "g5.xlarge", "us-east-1", OnDemand)
        .unwrap();
    assert_eq!((g5.usd_per_hour, g5.gpu_usd_per_hour), (1.006, Some(0.8)));
    let m5 = got
        .table
        .get(Aws, "m5.large", "us-east-1", OnDemand)
        .unwrap();
    assert_eq!(m5.gpu_usd_per_hour, None);

    // Written to and read back from a kube-rightsize price file; absent when unknown.
    let written = write_price_file(&got.table, "2026-02-02T00:00:00Z", &[]);
    assert_eq!(written.matches("\"gpu_usd_per_hour\": 0.8").count(), 1);
    assert_eq!(written.matches("gpu_usd_per_hour").count(), 1);
    let again = import_prices("again.json", written.as_bytes()).unwrap();
    assert_eq!(
        again.table.get(Aws, "g5.xlarge", "us-east-1", OnDemand),
        Some(g5)
    );

    // A bad GPU price is located; a six-column header needs six fields.
    let e = err(
        "gpu.csv",
        "provider,instance_type,region,capacity_type,usd_per_hour,gpu_usd_per_hour\n\
         aws,g5.xlarge,us-east-1,on_demand,1.006,lots\n",
    );
    assert_eq!(
        e.to_string(),
        "gpu.csv:2:41: gpu_usd_per_hour `lots` is not a non-negative number of USD per GPU-hour"
    );
    let e = err(
        "gpu.csv",
        "provider,instance_type,region,capacity_type,usd_per_hour,gpu_usd_per_hour\n\
         aws,g5.xlarge,us-east-1,on_demand,1.006\n",
    );
    assert!(e.to_string().contains("expected 6 fields"), "{e}");
}

#[test]
fn item_csvs_read_disks_and_services_with_located_errors_and_a_warning_for_unknown_items() {
    let text = "# our negotiated prices\n\
                provider,region,storage_type,unit,usd\n\
                aws,us-east-1,gp3,GiB-month,$0.07\n\
                \"gcp\",europe-west1,pd-balanced,GiB-month,0.11\n\
                aws,us-east-1,gp4,GiB-month,0.05\n";
    assert_eq!(
        detect_format(text.as_bytes()),
        Some(PriceFileFormat::ItemsCsv)
    );
    let got = import_prices("items.csv", text.as_bytes()).unwrap();
    assert_eq!(got.format, PriceFileFormat::ItemsCsv);
    assert!(got.table.is_empty());
    assert_eq!(got.items.len(), 3);
    assert_eq!(
        (got.items[0].item.as_str(), got.items[0].usd),
        ("gp3", 0.07)
    );
    assert_eq!(got.items[1].region, "europe-west1");
    let unknown: Vec<_> = got
        .warnings
        .iter()
        .filter(|w| w.code == "price_item_unknown")
        .collect();
    assert_eq!(unknown.len(), 1, "{:?}", got.warnings);
    assert!(unknown[0].message.contains("aws gp4 GiB-month"));

    let bad = "provider,region,item,unit,usd\naws,us-east-1,nlb,lb-hour,cheap\n";
    let e = import_prices("items.csv", bad.as_bytes()).unwrap_err();
    assert_eq!((e.line, e.column), (2, 27), "{e}");
    assert!(e.message.contains("USD per unit"), "{e}");
    let e = import_prices(
        "items.csv",
        b"provider,region,item,unit,usd\nmars,us-east-1,nlb,lb-hour,1\n",
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (2, 1), "{e}");
    let e = import_prices(
        "items.csv",
        b"provider,region,item,unit,usd\naws,,nlb,lb-hour,1\n",
    )
    .unwrap_err();
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (2, 5, "region is empty")
    );
    let e = import_prices("items.csv", b"provider,region,item,unit,usd\naws,x,nlb\n").unwrap_err();
    assert!(e.message.starts_with("expected 5 fields"), "{e}");
}

#[test]
fn kube_rightsize_price_files_carry_items_too() {
    let text = r#"{"schema": "kube-rightsize/prices/v1", "prices": [],
        "items": [{"provider": "aws", "region": "eu-west-1", "item": "nlb", "unit": "lb-hour",
                   "usd": "0.0252"},
                  {"provider": "aws", "region": "", "item": "clb", "unit": "lb-hour", "usd": 1}]}"#;
    let got = import_prices("p.json", text.as_bytes()).unwrap();
    assert_eq!(got.items.len(), 1);
    assert_eq!(
        (got.items[0].region.as_str(), got.items[0].usd),
        ("eu-west-1", 0.0252)
    );
    assert!(got.warnings.iter().any(|w| w.code == "price_row_skipped"));
    let bad = r#"{"schema": "kube-rightsize/prices/v1", "prices": [],
        "items": [{"provider": "aws", "region": "x", "item": "nlb", "unit": "lb-hour", "usd": -1}]}"#;
    let e = import_prices("p.json", bad.as_bytes()).unwrap_err();
    assert!(e.message.contains("usd `-1`"), "{e}");
    assert_eq!(e.line, 2);
}
