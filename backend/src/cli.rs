//! The `backoffice` command line: `serve`, and the operator commands that
//! create tenants, facilities, accounts and single sign-on providers on
//! whichever database is configured.

use crate::admin::{self, NewAccount};
use crate::auth::password::PasswordHasher;
use crate::auth::throttle::Throttle;
use crate::bootstrap;
use crate::db;
use crate::model::audit::{self, AuditEvent};
use crate::settings::{Overrides, Settings};
use crate::startup::Application;
use clap::{Parser, Subcommand};
use diesel::Connection;
use secrecy::SecretString;
use shared::Role;
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "backoffice",
    version,
    about = "Backoffice access: sign-in, passwords and single sign-on"
)]
pub struct Cli {
    /// A TOML file with settings (same names as the flags, with underscores)
    #[arg(long, env = "BACKOFFICE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub settings: Overrides,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (API and web app); the first start creates a tenant and an administrator
    Serve,
    /// Manage tenants
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage facilities (stores, warehouses)
    #[command(subcommand)]
    Facility(FacilityCommand),
    /// Manage accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Manage a tenant's single sign-on providers (OpenID Connect)
    #[command(subcommand)]
    Sso(crate::sso_cli::SsoCommand),
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant, reachable at the host name the pattern gives its slug
    Create {
        /// Short name used in host names: lower-case letters, digits, hyphens
        slug: String,
        /// Name shown on the login screen
        #[arg(long)]
        name: String,
    },
    /// Change the name a tenant's login screen shows (its host name stays)
    Rename {
        slug: String,
        #[arg(long)]
        name: String,
    },
    /// List the tenants
    List,
}

#[derive(Debug, Subcommand)]
pub enum FacilityCommand {
    /// Create a facility in a tenant
    Create {
        #[arg(long)]
        tenant: String,
        /// Code unique in the tenant, e.g. BER-01
        code: String,
        #[arg(long)]
        name: String,
    },
    /// List a tenant's facilities
    List {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; its initial password is asked for without echo (or read from the first line of standard input when it is not a terminal)
    Create {
        #[arg(long)]
        tenant: String,
        username: String,
        #[arg(long)]
        first_name: String,
        #[arg(long, default_value = "")]
        last_name: String,
        #[arg(long)]
        email: Option<String>,
        /// ADMINISTRATOR, SUPERVISOR or FULFILLER
        #[arg(long)]
        role: Role,
        /// Facility code; repeat for several (not for administrators)
        #[arg(long = "facility")]
        facilities: Vec<String>,
        #[arg(long, default_value = "en")]
        locale: String,
        /// Create the account inactive
        #[arg(long)]
        inactive: bool,
        /// The password is temporary: the owner must choose a new one at the
        /// first sign-in
        #[arg(long)]
        temporary_password: bool,
    },
    /// Lift every brute-force wait on an account (from every address and browser)
    Unlock {
        #[arg(long)]
        tenant: String,
        username: String,
    },
    /// List a tenant's accounts
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Set an account's password, asked for without echo (or read from standard input); every session of the account ends
    SetPassword {
        #[arg(long)]
        tenant: String,
        username: String,
        /// The owner must choose a new one at the next sign-in
        #[arg(long)]
        temporary: bool,
    },
    /// Deactivate an account: it cannot sign in, and its sessions end at once
    Deactivate {
        #[arg(long)]
        tenant: String,
        username: String,
    },
    /// Activate an account again
    Activate {
        #[arg(long)]
        tenant: String,
        username: String,
    },
}

/// A password from a person at a terminal (asked twice, without echo), or
/// from the first line of standard input when a script pipes it in.
fn read_password() -> anyhow::Result<SecretString> {
    read_secret("Password", "password")
}

/// A secret from a person at a terminal (asked twice, without echo), or
/// from the first line of standard input when a script pipes it in. Never
/// from the command line, where other users' `ps` would see it.
pub(crate) fn read_secret(label: &str, what: &str) -> anyhow::Result<SecretString> {
    use std::io::IsTerminal;
    let secret = if std::io::stdin().is_terminal() {
        let first = prompt_without_echo(&format!("{label}: "))?;
        let again = prompt_without_echo("Repeat it: ")?;
        if first != again {
            anyhow::bail!("the two {what}s differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if secret.is_empty() {
        anyhow::bail!("no {what} given");
    }
    Ok(SecretString::from(secret))
}

/// Asks on standard error and reads one line from the terminal with echo
/// off (restored afterwards, even on error).
fn prompt_without_echo(prompt: &str) -> anyhow::Result<String> {
    use std::io::Write;
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let fd = libc::STDIN_FILENO;
    // SAFETY: `termios` is plain data that tcgetattr fills in; both calls
    // only read or set the terminal attributes of standard input.
    let saved = unsafe {
        let mut saved: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(fd, &mut saved) != 0 {
            anyhow::bail!("cannot read the terminal's settings");
        }
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHO;
        libc::tcsetattr(fd, libc::TCSANOW, &quiet);
        saved
    };
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    // SAFETY: as above, restoring what tcgetattr returned.
    unsafe {
        libc::tcsetattr(fd, libc::TCSANOW, &saved);
    }
    eprintln!();
    read?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref(), cli.settings)?;
    // SAFETY: `umask` only sets this process's file mode mask; it cannot
    // fail and touches no memory. It runs before the data folder, the
    // database, the secret key or any mail file exists, so all of them are
    // readable by this user only (files 0600, folders 0700).
    #[cfg(unix)]
    unsafe {
        libc::umask(0o077);
    }
    let mut data_dir = std::fs::DirBuilder::new();
    data_dir.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut data_dir, 0o700);
    data_dir
        .create(&settings.data_dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", settings.data_dir.display()))?;
    match cli.command {
        Command::Serve => serve(settings),
        Command::Sso(command) => crate::sso_cli::run(&settings, command),
        Command::Tenant(TenantCommand::Create { slug, name }) => {
            let mut conn = db::connect(&settings.database, 1)?.get()?;
            let tenant = admin::create_tenant(&mut conn, &slug, &name)?;
            println!("created tenant {} ({})", tenant.slug, tenant.display_name);
            Ok(())
        }
        Command::Tenant(TenantCommand::Rename { slug, name }) => {
            let mut conn = db::connect(&settings.database, 1)?.get()?;
            admin::rename_tenant(&mut conn, &slug, &name)?;
            println!("renamed tenant {slug} to {}", name.trim());
            Ok(())
        }
        Command::Facility(FacilityCommand::Create { tenant, code, name }) => {
            let mut conn = db::connect(&settings.database, 1)?.get()?;
            let facility = admin::create_facility(&mut conn, &tenant, &code, &name)?;
            println!(
                "created facility {} ({}) in {tenant}",
                facility.code, facility.name
            );
            Ok(())
        }
        Command::User(UserCommand::Unlock { tenant, username }) => {
            unlock(&settings, &tenant, &username)
        }
        Command::Tenant(TenantCommand::List) => {
            let mut conn = db::connect(&settings.database, 1)?.get()?;
            for tenant in admin::list_tenants(&mut conn)? {
                println!("{}\t{}", tenant.slug, tenant.display_name);
            }
            Ok(())
        }
        Command::Facility(FacilityCommand::List { tenant }) => {
            let mut conn = db::connect(&settings.database, 1)?.get()?;
            for facility in admin::list_facilities(&mut conn, &tenant)? {
                println!("{}\t{}", facility.code, facility.name);
            }
            Ok(())
        }
        Command::User(UserCommand::List { tenant }) => {
            let mut conn = db::connect(&settings.database, 1)?.get()?;
            for (user, codes) in admin::list_users(&mut conn, &tenant)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.username,
                    user.role,
                    user.status,
                    if codes.is_empty() {
                        "-".to_owned()
                    } else {
                        codes.join(",")
                    },
                    user.email.as_deref().unwrap_or("-"),
                );
            }
            Ok(())
        }
        Command::User(UserCommand::SetPassword {
            tenant,
            username,
            temporary,
        }) => {
            let password = read_password()?;
            let hasher = PasswordHasher::new(1, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
            let throttle = Throttle::new(settings.lockout.clone());
            let mut conn = db::connect(&settings.database, 1)?.get()?;
            let revoked = admin::set_password(
                &mut conn, &hasher, &throttle, &tenant, &username, &password, temporary,
            )?;
            println!(
                "set the password of {username} in {tenant}{}; {revoked} session(s) ended",
                if temporary { " (temporary)" } else { "" }
            );
            Ok(())
        }
        Command::User(UserCommand::Deactivate { tenant, username }) => {
            let mut conn = db::connect(&settings.database, 1)?.get()?;
            let revoked = admin::set_active(&mut conn, &tenant, &username, false)?;
            println!("deactivated {username} in {tenant}; {revoked} session(s) ended");
            Ok(())
        }
        Command::User(UserCommand::Activate { tenant, username }) => {
            let mut conn = db::connect(&settings.database, 1)?.get()?;
            admin::set_active(&mut conn, &tenant, &username, true)?;
            println!("activated {username} in {tenant}");
            Ok(())
        }
        Command::User(UserCommand::Create {
            tenant,
            username,
            first_name,
            last_name,
            email,
            role,
            facilities,
            locale,
            inactive,
            temporary_password,
        }) => {
            let password = read_password()?;
            let hasher = PasswordHasher::new(1, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut conn = db::connect(&settings.database, 1)?.get()?;
            let user = admin::create_user(
                &mut conn,
                &hasher,
                NewAccount {
                    tenant_slug: tenant.clone(),
                    username,
                    first_name,
                    last_name,
                    email,
                    role,
                    facility_codes: facilities,
                    locale,
                    active: !inactive,
                    password,
                    temporary_password,
                },
            )?;
            println!("created {} {} in {tenant}", user.role, user.username);
            Ok(())
        }
    }
}

fn unlock(settings: &Settings, tenant: &str, username: &str) -> anyhow::Result<()> {
    let username = shared::username::Username::parse(username)?;
    let mut conn = db::connect(&settings.database, 1)?.get()?;
    let tenant = admin::find_tenant(&mut conn, tenant)?;
    let throttle = Throttle::new(settings.lockout.clone());
    let forgotten = conn.transaction::<_, diesel::result::Error, _>(|conn| {
        let forgotten = throttle.unlock(conn, &tenant.id, username.as_str())?;
        AuditEvent::new(&tenant.id, audit::ACCOUNT_UNLOCKED)
            .user(None, Some(username.as_str()))
            .detail("by an operator (command line)")
            .record(conn)?;
        Ok(forgotten)
    })?;
    println!(
        "unlocked {username} in {}: {forgotten} failure count(s) forgotten",
        tenant.slug
    );
    Ok(())
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        tracing::info!(database = %settings.database.describe(), "starting");
        let pool = db::connect(&settings.database, settings.database_pool_size)?;
        if let Some(slug) = settings.default_tenant.clone() {
            let hasher = PasswordHasher::new(1, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut conn = pool.get()?;
            if let Some(first) = bootstrap::ensure_first_tenant(&mut conn, &hasher, &slug)? {
                println!(
                    "\nFirst start: created tenant `{}` and administrator `{}`.\n\
                     Password (shown only this once): {}\n\
                     It is temporary: until you choose your own (POST /api/v1/me/password,\n\
                     see README.md), the API answers only your profile.\n",
                    first.tenant, first.username, first.password
                );
            }
        }
        let listen = settings.listen;
        let app = Application::build_with_pool(settings, pool)?;
        println!(
            "Backoffice access is listening on http://{listen} (port {})",
            app.port()
        );
        app.run_until_stopped().await?;
        Ok(())
    })
}
