//! Every seed in `fuzz/corpus/<target>/` (and every crash once found and fixed, kept there)
//! runs through its target in the test command: what the fuzzers proved stays proved.

use std::path::Path;

#[test]
fn every_seed_of_every_corpus_runs_through_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (name, target) in logdash_fuzz::TARGETS {
        let folder = root.join(name);
        let entries =
            std::fs::read_dir(&folder).unwrap_or_else(|err| panic!("{}: {err}", folder.display()));
        let mut seeds = 0;
        for entry in entries {
            let path = entry.expect("a corpus entry").path();
            let data =
                std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            target(&data);
            seeds += 1;
        }
        assert!(
            seeds >= 5,
            "{name}: only {seeds} seeds in {}",
            folder.display()
        );
    }
}
