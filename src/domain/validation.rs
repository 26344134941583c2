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

    /// The parsed values (what `check`, `require` and `check_opt` returned, alone or in a
    /// tuple) when nothing was recorded, otherwise the 422 naming every field.
    pub fn finish_with<P: Parsed>(self, parsed: P) -> Result<P::Value, AppError> {
        self.finish()?;
        parsed
            .value()
            .ok_or_else(|| AppError::internal("a field has no value yet no violation"))
    }
}

/// What a check leaves: a value, or nothing when the field was invalid (and so recorded).
pub trait Parsed {
    type Value;
    fn value(self) -> Option<Self::Value>;
}

impl<T> Parsed for Option<T> {
    type Value = T;
    fn value(self) -> Option<T> {
        self
    }
}

macro_rules! parsed_tuple {
    ($($name:ident),+) => {
        impl<$($name: Parsed),+> Parsed for ($($name,)+) {
            type Value = ($($name::Value,)+);
            #[allow(non_snake_case)]
            fn value(self) -> Option<Self::Value> {
                let ($($name,)+) = self;
                Some(($($name.value()?,)+))
            }
        }
    };
}

parsed_tuple!(A, B);
parsed_tuple!(A, B, C);
parsed_tuple!(A, B, C, D);
parsed_tuple!(A, B, C, D, E);
parsed_tuple!(A, B, C, D, E, F);
parsed_tuple!(A, B, C, D, E, F, G);
parsed_tuple!(A, B, C, D, E, F, G, H);
parsed_tuple!(A, B, C, D, E, F, G, H, I);
parsed_tuple!(A, B, C, D, E, F, G, H, I, J);
parsed_tuple!(A, B, C, D, E, F, G, H, I, J, K);
parsed_tuple!(A, B, C, D, E, F, G, H, I, J, K, L);
