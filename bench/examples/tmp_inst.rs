use jiff::civil::Date;
use onus::Session;
use onus::eval::{Options, evaluate};
use onus_bench::generate::{Rng, Vocabulary, chain};
fn main() {
    let s = Session::embedded();
    let voc = Vocabulary::new(&s.rules);
    let as_of = Date::new(2026, 12, 1).unwrap_or_default();
    let mut g = Rng::new(1);
    let chains: Vec<_> = (0..1000).map(|i| chain(&s.rules, &voc, &mut g, i, (3, 10), as_of)).collect();
    let mut rows = Vec::new();
    for (i, inst) in s.rules.instruments.iter().enumerate() {
        let id = onus::ir::InstrumentId::from_index(i);
        let opts = Options { instruments: Some(vec![id]), ..Options::default() };
        let t = std::time::Instant::now();
        let mut n = 0;
        for sc in &chains { n += evaluate(&s.rules, sc, &opts).findings.len(); }
        rows.push((t.elapsed().as_secs_f64() * 1e6 / 1000.0, n / 1000, inst.id.clone()));
    }
    rows.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap());
    for r in rows.iter().take(15) { println!("{:8.1} µs  {:5} findings  {}", r.0, r.1, r.2); }
    println!("total {:.1}", rows.iter().map(|r| r.0).sum::<f64>());
}
