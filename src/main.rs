//! The `kriya` command line.

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use kriya::app::{Application, open_tool_database};
use kriya::config::RawConfig;

#[derive(Parser)]
#[command(
    name = "kriya",
    version,
    about = "Marketplace backend for Malang's IKM craft makers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (migrations are applied on start).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load the demo catalogue (Malang sellers, products with photos, two partner hotels
    /// with consignments and sales) through the API; safe to run again, and while a server
    /// runs on the same data.
    Demo,
    /// Rebuild the search index from the database (queued for the server when one holds
    /// the embedded index).
    Reindex,
    /// Print the OpenAPI document.
    Openapi,
    /// Run a benchmark.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Concurrent single-unit sales at one hotel over HTTP, on PostgreSQL; checks no oversell.
    Sales {
        /// PostgreSQL database to create a scratch schema in.
        #[arg(long, env = "KRIYA_BENCH_DATABASE_URL")]
        database_url: String,
        /// Concurrent clients.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Variants on the shelf.
        #[arg(long, default_value_t = 20)]
        variants: usize,
        /// Units of each variant on the shelf.
        #[arg(long, default_value_t = 500)]
        units: i64,
        /// HTTP worker threads of the server under test.
        #[arg(long, default_value_t = 2)]
        workers: usize,
        /// Drive the sales with `wrk` for this many seconds instead of the in-process
        /// client (put more units on the shelf than the run sells).
        #[arg(long)]
        wrk_seconds: Option<u64>,
    },
    /// One-unit online checkouts racing for the same variants over HTTP, on PostgreSQL, at
    /// several client counts; checks nothing is reserved twice.
    Orders {
        /// PostgreSQL database to create a scratch schema in.
        #[arg(long, env = "KRIYA_BENCH_DATABASE_URL")]
        database_url: String,
        /// Concurrent clients per round, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "4,16,64")]
        clients: Vec<usize>,
        /// Variants the clients race for.
        #[arg(long, default_value_t = 20)]
        variants: usize,
        /// Units of each variant in the seller's own stock.
        #[arg(long, default_value_t = 100)]
        units: i64,
        /// HTTP worker threads of the server under test.
        #[arg(long, default_value_t = 2)]
        workers: usize,
        /// Also check out without HTTP: each client a thread calling the checkout service
        /// on a connection of its own (the server still runs its workers), to show what the
        /// web stack adds.
        #[arg(long)]
        direct: bool,
    },
    /// Webhook events written one transaction each and delivered by the real worker to a
    /// receiver on loopback, on PostgreSQL: commit → receipt latency, deliveries per second.
    Webhooks {
        /// PostgreSQL database to create a scratch schema in.
        #[arg(long, env = "KRIYA_BENCH_DATABASE_URL")]
        database_url: String,
        /// Receiving endpoints (every event goes to each).
        #[arg(long, default_value_t = 4)]
        endpoints: usize,
        /// Events written one at a time for the latency figures.
        #[arg(long, default_value_t = 500)]
        paced_events: usize,
        /// Paced events per second.
        #[arg(long, default_value_t = 50)]
        rate: u32,
        /// Events written at once for the throughput figure.
        #[arg(long, default_value_t = 5000)]
        burst_events: usize,
    },
    /// A city-sized data set generated in SQL (sellers, products, hotel sale lines, online
    /// orders, trainings), then each report timed on SQLite and, with `--database-url`, on
    /// PostgreSQL.
    Reports {
        /// PostgreSQL database to create a scratch schema in (SQLite always runs).
        #[arg(long, env = "KRIYA_BENCH_DATABASE_URL")]
        database_url: Option<String>,
        #[arg(long, default_value_t = 13_000)]
        sellers: i64,
        #[arg(long, default_value_t = 100_000)]
        products: i64,
        /// Hotel sale lines over the 24 months.
        #[arg(long, default_value_t = 1_000_000)]
        lines: i64,
        /// Completed online order parts over the 24 months.
        #[arg(long, default_value_t = 50_000)]
        online: i64,
        #[arg(long, default_value_t = 50)]
        trainings: i64,
        /// Runs of each report (the median is reported).
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        /// Keep the generated databases for a closer look (their locations are printed).
        #[arg(long)]
        keep: bool,
    },
    /// Read paths (product pages, the catalogue, categories, search) driven by `wrk` with a
    /// fixed number of connections, beside `pgbench -S` in the same sitting, on PostgreSQL.
    Reads {
        /// PostgreSQL database to create a scratch schema in.
        #[arg(long, env = "KRIYA_BENCH_DATABASE_URL")]
        database_url: String,
        /// Products to generate.
        #[arg(long, default_value_t = 100_000)]
        products: usize,
        /// Open connections (and pgbench clients).
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Seconds each read is driven for.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// HTTP worker threads of the servers under test.
        #[arg(long, default_value_t = 2)]
        workers: usize,
        /// Keep the scratch schema for a closer look (its URL is printed).
        #[arg(long)]
        keep: bool,
        /// A Meilisearch to load the same products into: search is then also measured
        /// through the Meilisearch adapter and against Meilisearch directly.
        #[arg(long)]
        meili_url: Option<String>,
        /// Meilisearch's master key.
        #[arg(long, requires = "meili_url")]
        meili_key: Option<String>,
    },
    /// The rendition set for every JPEG in DIR: in-process, then as HTTP uploads.
    Thumbnails {
        dir: std::path::PathBuf,
        /// Runs per photo (the median is reported).
        #[arg(long, default_value_t = 3)]
        repeat: usize,
    },
    /// Loads generated products through the write path into a scratch SQLite data dir,
    /// indexes them through the outbox (into the embedded index, or Meilisearch with
    /// `--meili-url`), then times a fixed query mix and write→visible delay.
    Search {
        /// Products to load.
        #[arg(long, default_value_t = 10_000)]
        products: usize,
        /// Queries to time (the mix repeats).
        #[arg(long, default_value_t = 2_000)]
        queries: usize,
        /// Keep the data here instead of a temporary directory.
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
        /// Index into this Meilisearch (an index of the run's own, deleted at the end)
        /// instead of the embedded index.
        #[arg(long)]
        meili_url: Option<String>,
        /// The Meilisearch API key.
        #[arg(long, requires = "meili_url")]
        meili_key: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (the only way to create an admin).
    Create {
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    Buyer,
    Seller,
    Hotel,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        println!("{}", kriya::api::openapi_json());
        return Ok(());
    }
    if let Command::Bench { command } = cli.command {
        kriya::telemetry::init(kriya::config::LogFormat::Pretty, "warn");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        return match command {
            BenchCommand::Sales {
                database_url,
                clients,
                variants,
                units,
                workers,
                wrk_seconds,
            } => {
                let options = kriya::bench::sales::Options {
                    database_url,
                    clients,
                    variants,
                    units_per_variant: units,
                    workers,
                    wrk_seconds,
                };
                runtime.block_on(kriya::bench::sales::run(options))
            }
            BenchCommand::Orders {
                database_url,
                clients,
                variants,
                units,
                workers,
                direct,
            } => {
                let options = kriya::bench::orders::Options {
                    database_url,
                    clients,
                    variants,
                    units_per_variant: units,
                    workers,
                    direct,
                };
                runtime.block_on(kriya::bench::orders::run(options))
            }
            BenchCommand::Webhooks {
                database_url,
                endpoints,
                paced_events,
                rate,
                burst_events,
            } => {
                let options = kriya::bench::webhooks::Options {
                    database_url,
                    endpoints,
                    paced_events,
                    rate,
                    burst_events,
                };
                runtime.block_on(kriya::bench::webhooks::run(options))
            }
            BenchCommand::Reports {
                database_url,
                sellers,
                products,
                lines,
                online,
                trainings,
                repeat,
                keep,
            } => {
                let options = kriya::bench::reports::Options {
                    database_url,
                    sellers,
                    products,
                    lines,
                    online,
                    trainings,
                    repeat,
                    keep,
                };
                runtime.block_on(kriya::bench::reports::run(options))
            }
            BenchCommand::Reads {
                database_url,
                products,
                connections,
                seconds,
                workers,
                keep,
                meili_url,
                meili_key,
            } => {
                let options = kriya::bench::reads::Options {
                    database_url,
                    products,
                    connections,
                    seconds,
                    workers,
                    keep,
                    meili: meili_url.map(|url| (url, meili_key)),
                };
                runtime.block_on(kriya::bench::reads::run(options))
            }
            BenchCommand::Thumbnails { dir, repeat } => {
                let options = kriya::bench::thumbnails::Options { dir, repeat };
                runtime.block_on(kriya::bench::thumbnails::run(options))
            }
            BenchCommand::Search {
                products,
                queries,
                data_dir,
                meili_url,
                meili_key,
            } => {
                let options = kriya::bench::search::Options {
                    products,
                    queries,
                    data_dir,
                    meili: meili_url.map(|url| (url, meili_key)),
                };
                runtime.block_on(kriya::bench::search::run(options))
            }
        };
    }
    let config = RawConfig::from_environment()?.build()?;
    let quiet = if matches!(cli.command, Command::Serve) {
        "info"
    } else {
        "warn"
    };
    kriya::telemetry::init(config.log_format, quiet);
    match cli.command {
        Command::Openapi | Command::Bench { .. } => unreachable!("handled above"),
        Command::Serve => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let app = Application::build(&config)?;
                tracing::info!(bind = %config.bind, port = app.port(), database = if config.database_url.is_postgres() { "postgres" } else { "sqlite" }, "kriya serving");
                app.run_until_stopped().await.context("server")
            })
        }
        Command::Reindex => reindex(&config),
        Command::Demo => demo(&config),
        Command::Migrate => {
            open_tool_database(&config)?;
            println!("migrations applied");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    role,
                    email,
                    password,
                    name,
                },
        } => {
            let pool = open_tool_database(&config)?;
            let role = match role {
                RoleArg::Admin => kriya::domain::account::Role::Admin,
                RoleArg::Buyer => kriya::domain::account::Role::Buyer,
                RoleArg::Seller => kriya::domain::account::Role::Seller,
                RoleArg::Hotel => kriya::domain::account::Role::Hotel,
            };
            let mut conn = pool.get()?;
            let id =
                kriya::accounts::create_user(&mut conn, &email, &password, name.as_deref(), role)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created {} {id}", role.as_str());
            Ok(())
        }
    }
}

/// `kriya reindex`, with a progress bar.
fn reindex(config: &kriya::config::Config) -> anyhow::Result<()> {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} products ({per_sec}, {eta} left)",
        )?
        .progress_chars("=> "),
    );
    bar.set_message("building documents");
    let outcome = kriya::search::reindex::run(config, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    match outcome {
        kriya::search::reindex::Outcome::Rebuilt { documents } => {
            println!("search index rebuilt: {documents} products");
        }
        kriya::search::reindex::Outcome::Queued => {
            println!(
                "a running server holds the search index; the rebuild is queued for it and \
                 will be searchable in a few seconds"
            );
        }
    }
    Ok(())
}

/// `kriya demo`, with a progress bar.
fn demo(config: &kriya::config::Config) -> anyhow::Result<()> {
    struct Bar(indicatif::ProgressBar);
    impl kriya::demo::Progress for Bar {
        fn step(&self, done: u64, total: u64, what: &str) {
            self.0.set_length(total);
            self.0.set_position(done);
            self.0.set_message(what.to_owned());
        }
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("[{bar:40}] {pos}/{len} {wide_msg}")?
            .progress_chars("=> "),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let progress = Bar(bar);
    let summary = runtime.block_on(kriya::demo::run(config, &progress))?;
    progress.0.finish_and_clear();
    println!(
        "demo catalogue ready: {} sellers, {} products ({} new), {} hotels, {} consignments, \
         {} trainings, {} past hotel sales written",
        summary.sellers,
        summary.products,
        summary.created,
        summary.hotels,
        summary.consignments,
        summary.trainings,
        summary.past_sales
    );
    println!(
        "sign in as any demo account (e.g. kurator@demo.kriya.id, the admin) with the password {}",
        kriya::demo::PASSWORD
    );
    println!("a running server indexes the catalogue within seconds: GET /v1/search?q=");
    Ok(())
}
