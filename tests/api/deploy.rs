//! The deployment files parse, agree with each other and configure a Kriya that starts:
//! every `KRIYA_*` variable they set is one Kriya reads, and the settings they give (with
//! their placeholders filled in) pass Kriya's own configuration checks. Nothing here runs a
//! container: there is no Docker engine or cluster on the build machines.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn deploy(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(path)
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let mut doc: serde_norway::Value = serde_norway::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
    // Merge keys inside merged mappings (`<<: *kriya` within `x-kriya-replica`) need a
    // pass each.
    for _ in 0..3 {
        doc.apply_merge().unwrap();
    }
    serde_json::to_value(doc).unwrap()
}

/// Compose's `${VAR:-default}` → default, `${VAR:?message}` → a stand-in, like a filled
/// `.env` would give.
fn interpolate(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').unwrap() + start;
        let inner = &rest[start + 2..end];
        out.push_str(match (inner.find(":-"), inner.find(":?")) {
            (Some(i), _) => &inner[i + 2..],
            (None, Some(_)) => "a-secret-of-at-least-thirty-two-characters",
            (None, None) => panic!("`{inner}` has neither a default nor a required message"),
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn assert_starts(vars: HashMap<String, String>, what: &str) {
    let known = kriya::config::variable_names();
    for name in vars.keys().filter(|k| k.starts_with("KRIYA_")) {
        assert!(
            known.contains(name),
            "{what} sets {name}, which Kriya does not read"
        );
    }
    let raw = kriya::config::RawConfig::from_vars(&vars).unwrap();
    if let Err(e) = raw.build() {
        panic!("{what}: Kriya would refuse to start: {e}");
    }
}

#[test]
fn compose_runs_two_replicas_on_postgres_meilisearch_and_minio_behind_a_proxy() {
    let compose = yaml(&deploy("docker-compose.yml"));
    let services = compose["services"].as_object().unwrap();
    for name in [
        "postgres",
        "meilisearch",
        "minio",
        "kriya-1",
        "kriya-2",
        "proxy",
    ] {
        assert!(services.contains_key(name), "no service {name}");
    }
    for (name, service) in services {
        if let Some(deps) = service["depends_on"].as_object() {
            for dep in deps.keys() {
                assert!(
                    services.contains_key(dep),
                    "{name} depends on missing {dep}"
                );
            }
        }
    }
    for replica in ["kriya-1", "kriya-2"] {
        let service = &services[replica];
        assert_eq!(service["build"]["dockerfile"], "deploy/Dockerfile");
        let env: HashMap<String, String> = service["environment"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), interpolate(v.as_str().unwrap())))
            .collect();
        assert!(env["KRIYA_DATABASE_URL"].starts_with("postgres://"));
        assert_eq!(env["KRIYA_MEILI_URL"], "http://meilisearch:7700");
        assert_eq!(env["KRIYA_S3_ENDPOINT"], "http://minio:9000");
        assert_eq!(env["KRIYA_BIND"], "0.0.0.0:8080");
        assert_starts(env, replica);
    }
    let nginx = std::fs::read_to_string(deploy("nginx.conf")).unwrap();
    for upstream in ["kriya-1:8080", "kriya-2:8080"] {
        assert!(
            nginx.contains(upstream),
            "nginx does not balance onto {upstream}"
        );
    }
    assert!(deploy("Dockerfile").exists());
}

#[test]
fn kubernetes_manifests_probe_scale_and_configure_kriya() {
    let kustomization = yaml(&deploy("k8s/kustomization.yaml"));
    let mut kinds: HashMap<String, Value> = HashMap::new();
    for file in kustomization["resources"].as_array().unwrap() {
        let doc = yaml(&deploy(&format!("k8s/{}", file.as_str().unwrap())));
        kinds.insert(doc["kind"].as_str().unwrap().to_owned(), doc);
    }
    for kind in [
        "Namespace",
        "ConfigMap",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
    ] {
        assert!(kinds.contains_key(kind), "no {kind} in the kustomization");
    }
    let deployment = &kinds["Deployment"];
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["ports"][0]["containerPort"], 8080);
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];
    for (k, v) in kinds["Service"]["spec"]["selector"].as_object().unwrap() {
        assert_eq!(&labels[k], v, "the Service selects the Deployment's pods");
    }
    let hpa = &kinds["HorizontalPodAutoscaler"]["spec"];
    assert_eq!(hpa["scaleTargetRef"]["kind"], "Deployment");
    assert_eq!(
        hpa["scaleTargetRef"]["name"],
        deployment["metadata"]["name"]
    );
    assert!(hpa["minReplicas"].as_u64() >= Some(2));

    let secret = yaml(&deploy("k8s/secret.example.yaml"));
    let mut env: HashMap<String, String> = HashMap::new();
    for source in [&kinds["ConfigMap"]["data"], &secret["stringData"]] {
        for (k, v) in source.as_object().unwrap() {
            let v = v
                .as_str()
                .unwrap()
                .replace("CHANGE_ME", "a-secret-of-at-least-thirty-two-characters");
            env.insert(k.clone(), v);
        }
    }
    assert_starts(env, "the ConfigMap and Secret");
}

#[test]
fn the_systemd_unit_runs_kriya_serve() {
    let unit = std::fs::read_to_string(deploy("kriya.service")).unwrap();
    assert!(unit.contains("ExecStart=/usr/local/bin/kriya serve"));
    assert!(unit.contains("[Install]"));
}
