//! Collects every invalid field of a request, so a 422 names them all at once.

use crate::error::{AppError, FieldError};

#[derive(Default, Debug)]
pub struct Violations(Vec<FieldError>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the parsed value, or records the message against `field`.
    pub fn check<T>(&mut self, field: impl Into<String>, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(message) => {
                self.0.push(FieldError::new(field, message));
                None
            }
        }
    }

    /// Parses an optional field: absent stays `None`, present must parse.
    pub fn check_opt<T, R>(
        &mut self,
        field: impl Into<String>,
        raw: Option<R>,
        parse: impl FnOnce(R) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match raw {
            None => Some(None),
            Some(r) => self.check(field, parse(r)).map(Some),
        }
    }

    /// A required field: absent is an error of its own.
    pub fn require<T, R>(
        &mut self,
        field: impl Into<String>,
        raw: Option<R>,
        parse: impl FnOnce(R) -> Result<T, String>,
    ) -> Option<T> {
        match raw {
            None => {
                self.0.push(FieldError::new(field, "is required"));
                None
            }
            Some(r) => self.check(field, parse(r)),
        }
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded, otherwise the 422 naming every field.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}
