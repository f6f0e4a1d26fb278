use std::time::Instant;
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = sled::Config::new()
        .path("/tmp/zb/cpd")
        .cache_capacity(8 << 20)
        .open()?;
    let meta = db.open_tree("meta")?;
    let h = meta.get("history_dictionary")?.ok_or("no h")?;
    let s = meta.get("summary_dictionary")?.ok_or("no s")?;
    println!("dicts {} {}", h.len(), s.len());
    for _ in 0..3 {
        let t = Instant::now();
        let c1 = zstd::zstd_safe::CDict::create(&h, 3);
        let c2 = zstd::zstd_safe::CDict::create(&s, 3);
        let tc = t.elapsed();
        let t = Instant::now();
        let d1 = zstd::zstd_safe::DDict::create(&h);
        let d2 = zstd::zstd_safe::DDict::create(&s);
        println!("cdicts {:?} ddicts {:?}", tc, t.elapsed());
        drop((c1, c2, d1, d2));
    }
    Ok(())
}
