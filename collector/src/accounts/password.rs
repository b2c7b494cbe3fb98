//! Passwords: argon2id with the crate's defaults (OWASP's minimum: 19 MiB, 2 passes), stored
//! as a PHC string that names its own parameters, so that stronger ones can come later without
//! breaking stored hashes. Hashing takes tens of milliseconds: call it on a blocking thread.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Shorter passwords are refused: the console is reachable from the internet.
pub const MIN_LENGTH: usize = 12;
/// Longer ones too: hashing a megabyte of "password" is a cheap way to burn the server's time.
pub const MAX_LENGTH: usize = 256;

/// Why a new password is refused, in words for the person choosing it.
pub fn check_new(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(format!(
            "the password has {chars} characters; at least {MIN_LENGTH} are needed"
        ));
    }
    if password.len() > MAX_LENGTH {
        return Err(format!("the password is longer than {MAX_LENGTH} bytes"));
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness for a salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| format!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("hashing the password failed: {e}"))
}

/// Whether `password` matches `stored`; a stored value that is no PHC string never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    if password.len() > MAX_LENGTH {
        return false;
    }
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// The time of one verification, spent for a name that has no account, so that the answer's
/// timing does not tell which names exist.
pub fn verify_nothing(password: &str) {
    // A fixed hash of a random password, with the default parameters.
    const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$\
                         q8MhV1OoUC2pZr5pz2N8kTjP0kX6jwq3Ug9JpzcGqJQ";
    let _ = verify(password, DECOY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("richtig-langes-passwort").expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("richtig-langes-passwort", &stored));
        assert!(!verify("falsch-langes-passwort", &stored));
        assert!(!verify("richtig-langes-passwort", "not a hash"));
        assert_ne!(stored, hash("richtig-langes-passwort").expect("hash"));
    }

    #[test]
    fn new_passwords_have_a_length() {
        assert!(check_new("kurz").is_err());
        assert!(check_new("zwölf Zeichen").is_ok());
        assert!(check_new(&"x".repeat(MAX_LENGTH + 1)).is_err());
    }
}
