//! `duebook profiles ...`: the saved column mappings imports recognise files by — list, show,
//! rename, delete, and move them between computers as small JSON files.

use clap::Subcommand;
use duebook_core::import::mapping::profile_file;
use duebook_core::import::mapping::profiles::{self, Profile};
use duebook_core::model::text::for_terminal;
use duebook_core::store::Database;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ProfilesAction {
    /// Every profile: name, when it was last used, the header it is for.
    List,
    /// A profile's mapping: which column gives which field, dates, decimals, currency.
    Show {
        name: String,
    },
    Rename {
        name: String,
        new_name: String,
    },
    Delete {
        name: String,
    },
    /// Write a profile to a JSON file.
    Export {
        name: String,
        file: PathBuf,
    },
    /// Save the profile in a JSON file written by `export`. A bad file changes nothing.
    Import {
        file: PathBuf,
    },
}

pub fn profiles(db_path: &Path, action: ProfilesAction) -> Result<ExitCode, String> {
    let db = Database::open(db_path).map_err(|e| e.to_string())?;
    let conn = db.conn();
    let text = |e: &dyn std::fmt::Display| e.to_string();
    match action {
        ProfilesAction::List => {
            let all = profiles::list(conn).map_err(|e| text(&e))?;
            if all.is_empty() {
                println!("No import profiles (save one with `duebook import FILE --map ... --save-profile NAME`).");
            }
            for profile in all {
                println!(
                    "{}\tlast used {}\t{}",
                    for_terminal(&profile.name),
                    profile.used_at.as_deref().unwrap_or("never"),
                    for_terminal(&profile.header.join(", "))
                );
            }
        }
        ProfilesAction::Show { name } => show(&profiles::get(conn, &name).map_err(|e| text(&e))?),
        ProfilesAction::Rename { name, new_name } => {
            let profile = profiles::rename(conn, &name, &new_name).map_err(|e| text(&e))?;
            println!("Renamed to {}", for_terminal(&profile.name));
        }
        ProfilesAction::Delete { name } => {
            profiles::delete(conn, &name).map_err(|e| text(&e))?;
            println!("Deleted the import profile {}", for_terminal(&name));
        }
        ProfilesAction::Export { name, file } => {
            let profile = profile_file::export(conn, &name, &file).map_err(|e| text(&e))?;
            println!(
                "Wrote {} to {}",
                for_terminal(&profile.name),
                file.display()
            );
        }
        ProfilesAction::Import { file } => {
            let profile = profile_file::import(conn, &file).map_err(|e| text(&e))?;
            println!("Saved the import profile {}", for_terminal(&profile.name));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(profile: &Profile) {
    println!("{}", for_terminal(&profile.name));
    println!("  header: {}", for_terminal(&profile.header.join(", ")));
    for (field, column) in &profile.mapping.columns {
        println!("  {} = {}", field.name(), for_terminal(column));
    }
    for (name, column) in &profile.mapping.custom {
        let name = for_terminal(name);
        println!("  custom.{name} = {}", for_terminal(column));
    }
    let mapping = &profile.mapping;
    println!(
        "  date order: {}, decimals: {}",
        mapping.date_order, mapping.decimal
    );
    println!(
        "  currency for empty cells: {}",
        mapping
            .currency
            .as_deref()
            .map_or("the home currency".into(), for_terminal)
    );
    println!(
        "  created {}, last used {}",
        profile.created_at,
        profile.used_at.as_deref().unwrap_or("never")
    );
}
