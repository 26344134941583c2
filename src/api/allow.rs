//! Which methods a path answers, for the `Allow` header every 405 carries (RFC 9110). Read
//! from the OpenAPI document, which is built from the same registration as the server, so a
//! new route is covered without further code; plus the few routes the document leaves out.

use std::sync::LazyLock;

use actix_web::http::Method;

/// Routes served outside the document: the document itself and Swagger UI.
const UNDOCUMENTED: &[(&str, Method)] = &[
    ("/v1/openapi.json", Method::GET),
    ("/docs", Method::GET),
    ("/docs/{_:.*}", Method::GET),
];

/// The order methods are listed in.
const ORDER: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

struct Route {
    template: String,
    methods: Vec<Method>,
}

static ROUTES: LazyLock<Vec<Route>> = LazyLock::new(|| {
    let doc = super::openapi();
    let mut routes: Vec<Route> = doc
        .paths
        .paths
        .iter()
        .map(|(template, item)| {
            let operations = [
                (Method::GET, item.get.is_some()),
                (Method::HEAD, item.head.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::DELETE, item.delete.is_some()),
                (Method::OPTIONS, item.options.is_some()),
            ];
            Route {
                template: template.clone(),
                methods: operations
                    .into_iter()
                    .filter_map(|(m, present)| present.then_some(m))
                    .collect(),
            }
        })
        .collect();
    routes.extend(UNDOCUMENTED.iter().map(|(template, method)| Route {
        template: (*template).to_owned(),
        methods: vec![method.clone()],
    }));
    routes
});

/// Whether a concrete path fits a route template the way actix matches it: `{name}` takes
/// one non-empty segment, `{name:.*}` the rest of the path.
fn fits(template: &str, path: &str) -> bool {
    let mut want = template.split('/');
    let mut have = path.split('/');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some(w), _) if w.starts_with('{') && w.ends_with(":.*}") => return true,
            (Some(w), Some(h)) if w.starts_with('{') && w.ends_with('}') => {
                if h.is_empty() {
                    return false;
                }
            }
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

/// Every method the route of this path answers, in a fixed order; empty when no route has
/// the path (a 404, not a 405). Where templates overlap (`/sellers/me`, `/sellers/{id}`) the
/// one with a fixed segment where the other has a parameter is the path's route, as OpenAPI
/// matches paths: the parameters of this API are UUIDs, which a fixed segment never is, so a
/// templated route never serves such a path (`DELETE …/images/order` is no image's delete).
pub fn methods_for(path: &str) -> Vec<Method> {
    let fitting: Vec<&Route> = ROUTES.iter().filter(|r| fits(&r.template, path)).collect();
    let Some(best) = fitting.iter().map(|r| shape(&r.template)).min() else {
        return Vec::new();
    };
    let mut found: Vec<&Method> = fitting
        .iter()
        .filter(|r| shape(&r.template) == best)
        .flat_map(|r| &r.methods)
        .collect();
    found.sort_by_key(|m| ORDER.iter().position(|o| o == *m));
    found.dedup();
    found.into_iter().cloned().collect()
}

/// Which segments of a template are parameters, in order: a fixed segment sorts first.
fn shape(template: &str) -> Vec<bool> {
    template.split('/').map(|s| s.starts_with('{')).collect()
}

/// The `Allow` header's value.
pub fn header_value(methods: &[Method]) -> String {
    methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_like_the_router() {
        assert!(fits("/v1/products/{id}", "/v1/products/abc"));
        assert!(!fits("/v1/products/{id}", "/v1/products/"));
        assert!(!fits("/v1/products/{id}", "/v1/products/abc/stock"));
        assert!(!fits("/v1/categories", "/v1/categories/"));
        assert!(fits("/docs/{_:.*}", "/docs/"));
        assert!(fits("/docs/{_:.*}", "/docs/swagger-ui.css"));
        assert!(!fits("/docs/{_:.*}", "/docsx"));
    }

    #[test]
    fn a_fixed_segment_wins_over_a_parameter() {
        assert_eq!(header_value(&methods_for("/v1/sellers/me")), "GET, PUT");
        assert_eq!(
            header_value(&methods_for("/v1/products/0193/images/order")),
            "PUT"
        );
        assert_eq!(
            header_value(&methods_for("/v1/products/0193/images/0194")),
            "DELETE"
        );
        assert_eq!(
            header_value(&methods_for("/v1/products/0193")),
            "GET, PATCH, DELETE"
        );
        assert!(methods_for("/v1/nothing").is_empty());
    }
}
