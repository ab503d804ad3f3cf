"""The docker-compose stack can't start here (no Docker engine): check that its files
parse, use the seed's ports, and agree with each other on names and hosts."""

import pathlib
import re

import yaml

HERE = pathlib.Path(__file__).resolve().parent.parent
SEED_PORTS = {"elasticsearch": {9200, 9300}, "logstash": {5000, 9600}, "kibana": {5601}, "flask-app": {5001}}


def load(name):
    return yaml.safe_load((HERE / name).read_text())


def compose():
    return load("docker-compose.yml")


def published(service):
    return {int(str(p).split(":")[0]) for p in service.get("ports", [])}


def test_every_file_parses():
    for name in ["docker-compose.yml", "elasticsearch.yml", "kibana.yml", "logstash.yml"]:
        assert isinstance(load(name), dict), name


def test_ports_match_the_seed_table():
    services = compose()["services"]
    for name, ports in SEED_PORTS.items():
        assert published(services[name]) == ports, name
    assert published(services["logdash"]).isdisjoint(set().union(*SEED_PORTS.values()))


def test_one_bridge_network_for_all():
    doc = compose()
    assert doc["networks"]["elk"]["driver"] == "bridge"
    for name, service in doc["services"].items():
        assert service["networks"] == ["elk"], name


def test_config_files_are_mounted_where_the_images_read_them():
    services = compose()["services"]
    mounts = {s: " ".join(services[s].get("volumes", [])) for s in services}
    assert "./elasticsearch.yml:/usr/share/elasticsearch/config/elasticsearch.yml" in mounts["elasticsearch"]
    assert "./kibana.yml:/usr/share/kibana/config/kibana.yml" in mounts["kibana"]
    assert "./logstash.yml:/usr/share/logstash/config/logstash.yml" in mounts["logstash"]
    assert "./logstash.conf:/usr/share/logstash/pipeline/logstash.conf" in mounts["logstash"]


def test_elasticsearch_settings_as_the_seed_lists_them():
    es = load("elasticsearch.yml")
    assert es["cluster.name"] and es["network.host"] == "0.0.0.0"
    assert es["discovery.type"] == "single-node"
    assert es["xpack.license.self_generated.type"] == "basic"
    assert es["xpack.security.enabled"] is False
    assert "turn it on" in (HERE / "elasticsearch.yml").read_text()


def test_hosts_agree_between_files():
    services = compose()["services"]
    assert load("kibana.yml")["elasticsearch.hosts"] == ["http://elasticsearch:9200"]
    assert load("kibana.yml")["server.name"] and load("kibana.yml")["server.host"]
    assert load("logstash.yml")["http.host"] == "0.0.0.0"
    assert services["logdash"]["environment"]["LOGDASH_ELASTICSEARCH"] == "http://elasticsearch:9200"
    assert services["flask-app"]["environment"]["LOGSTASH_HOST"] == "logstash"
    assert services["flask-app"]["environment"]["LOGSTASH_PORT"] == "5000"
    for dependent in ["logstash", "kibana", "logdash"]:
        assert "elasticsearch" in services[dependent]["depends_on"]


def test_logstash_pipeline_reads_json_lines_on_5000_and_writes_daily_indices():
    text = (HERE / "logstash.conf").read_text()
    body = re.sub(r"#.*", "", text)
    assert body.count("{") == body.count("}"), "braces balance"
    assert set(re.findall(r"^(\w+)\s*\{", body, re.M)) == {"input", "output"}
    assert re.search(r"tcp\s*\{[^}]*port\s*=>\s*5000[^}]*codec\s*=>\s*json_lines", body, re.S)
    assert re.search(r'elasticsearch\s*\{[^}]*hosts\s*=>\s*\["http://elasticsearch:9200"\]', body, re.S)
    assert 'index => "logstash-%{+YYYY.MM.dd}"' in body


def test_dockerfile_builds_offline_friendly():
    text = (HERE / "Dockerfile").read_text()
    assert "scripts/setup.sh" in text and "cargo build --release --locked -p logdash-server" in text
    assert "curl" not in text and "wget" not in text
