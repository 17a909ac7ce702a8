//! Tests through the library API, the way the binary calls it.

use std::path::Path;

use t3forensics::correlate::{self, CorrelateOptions, explain};
use t3forensics::input::{InputSource, InputSpec};
use t3forensics::run::{self, ReadOptions};

fn analyze(dir: &str) -> correlate::Analysis {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    paths.sort();
    let specs: Vec<InputSpec> = paths
        .into_iter()
        .map(|p| InputSpec {
            source: InputSource::Path(p),
            forced_type: None,
        })
        .collect();
    let parsed = run::read_inputs(&specs, &ReadOptions::default()).unwrap();
    correlate::analyze(parsed, &CorrelateOptions::with_defaults())
}

#[test]
fn explain_agrees_with_attribution() {
    for dir in ["incident", "skew"] {
        let analysis = analyze(dir);
        assert_eq!(analysis.drops.len(), 12);
        assert!(explain::agrees_with_attribution(&analysis), "{dir}");
    }
}

#[test]
fn every_drop_has_an_incident() {
    let analysis = analyze("incident");
    for drop in &analysis.drops {
        let incident = analysis
            .incidents
            .iter()
            .find(|i| i.id == drop.incident_id)
            .unwrap();
        assert_eq!(incident.segment, drop.segment);
    }
    let total: usize = analysis.incidents.iter().map(|i| i.drops.len()).sum();
    assert_eq!(total, analysis.drops.len());
}
