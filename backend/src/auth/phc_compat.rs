//! Stored hashes are PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`)
//! that the RustCrypto `argon2` crate, the hasher the design names, reads
//! and writes alike. So a deployment can switch hashers without resetting
//! anyone's password; these tests fail if either side stops reading the
//! other's hashes.

use super::password::PasswordHasher;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::SecretString;

const PASSWORD: &str = "a long passphrase for the PHC test";

fn rustcrypto() -> Result<Argon2<'static>, String> {
    Ok(Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19_456, 2, 1, None).map_err(|e| e.to_string())?,
    ))
}

#[test]
fn our_hashes_verify_with_the_rustcrypto_argon2_crate() -> Result<(), Box<dyn std::error::Error>> {
    let ours = PasswordHasher::new(1, 1)?.hash_blocking(&SecretString::from(PASSWORD))?;
    let parsed = PasswordHash::new(&ours).map_err(|e| e.to_string())?;
    assert!(rustcrypto()?
        .verify_password(PASSWORD.as_bytes(), &parsed)
        .is_ok());
    assert!(rustcrypto()?
        .verify_password(b"another passphrase", &parsed)
        .is_err());
    Ok(())
}

#[test]
fn hashes_of_the_rustcrypto_argon2_crate_verify_with_ours() -> Result<(), Box<dyn std::error::Error>>
{
    let salt = SaltString::generate(&mut OsRng);
    let theirs = rustcrypto()?
        .hash_password(PASSWORD.as_bytes(), &salt)
        .map_err(|e| e.to_string())?
        .to_string();
    assert!(theirs.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    let ours = PasswordHasher::new(1, 1)?;
    assert!(ours.verify_blocking(Some(&theirs), &SecretString::from(PASSWORD)));
    assert!(!ours.verify_blocking(Some(&theirs), &SecretString::from("another passphrase")));
    Ok(())
}
