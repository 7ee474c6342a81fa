#!/usr/bin/env bash
# TPC-C failover experiment against a cluster provisioned by infra/terraform (docs/deploy-ec2.md):
#   load W warehouses, run T terminals for S seconds, kill the active node K seconds in (a real kill -9 of its JVM, or
#   a forced stop of its instance), watch the standby take over, wait for the run to finish, collect the TPC-C reports
#   (summary.json, timeseries.csv, throughput.png), both nodes' /health and journal tails, and optionally tear down.
# Everything runs on the cluster's client instance (the driver) or on the nodes, reached over SSM (default) or SSH.
# The local equivalent is ./cacdb failover-experiment; this script drives ./cacdb tpcc load|run --url on the client.
#
# Needs: terraform (the state of infra/terraform), jq, and the aws CLI (SSM, stop-instance, S3) or ssh/scp.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: infra/scripts/failover-experiment.sh [options]
  --tf-dir DIR        Terraform directory with the cluster's state (default: infra/terraform)
  --access ssm|ssh    how to reach the instances (default: ssm)
  --kill kill9|stop-instance
                      kill -9 of the active's JVM (systemd restarts it as the new standby), or a forced stop of the
                      active's instance (started again at the end) (default: kill9)
  --warehouses W      TPC-C warehouses to load (default: 4)
  --terminals T       TPC-C terminals (default: 16)
  --seconds S         measured seconds of the run (default: 120)
  --kill-after K      seconds after the run starts to kill the active (default: 40)
  --skip-load         reuse the warehouses loaded by an earlier round
  --out DIR           where to put the reports (default: experiments/<UTC time>)
  --destroy           terraform destroy at the end (after the reports are collected)
USAGE
}

tf_dir=infra/terraform access=ssm kill=kill9 warehouses=4 terminals=16 seconds=120 kill_after=40 skip_load=0
out="" destroy=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tf-dir) tf_dir=$2; shift 2 ;;
    --access) access=$2; shift 2 ;;
    --kill) kill=$2; shift 2 ;;
    --warehouses) warehouses=$2; shift 2 ;;
    --terminals) terminals=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --kill-after) kill_after=$2; shift 2 ;;
    --skip-load) skip_load=1; shift ;;
    --out) out=$2; shift 2 ;;
    --destroy) destroy=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$access" in ssm|ssh) ;; *) echo "--access must be ssm or ssh" >&2; exit 2 ;; esac
case "$kill" in kill9|stop-instance) ;; *) echo "--kill must be kill9 or stop-instance" >&2; exit 2 ;; esac
for n in "$warehouses" "$terminals" "$seconds" "$kill_after"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "counts and seconds must be positive integers, got '$n'" >&2; exit 2; }
done
[ "$kill_after" -lt "$seconds" ] || { echo "--kill-after ($kill_after) must be below --seconds ($seconds)" >&2; exit 2; }
for tool in terraform jq; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
[ "$access" = ssh ] || [ "$kill" = stop-instance ] || command -v aws >/dev/null || { echo "needs the aws CLI" >&2; exit 2; }

out=${out:-experiments/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
log() { echo "experiment: $*" | tee -a "$out/experiment.log" >&2; }

outputs=$(terraform -chdir="$tf_dir" output -json)
region=$(jq -r .region.value <<<"$outputs")
bucket=$(jq -r .bucket.value <<<"$outputs")
jdbc_url=$(jq -r .jdbc_url.value <<<"$outputs")
instance() { jq -r --arg n "$1" --arg f "$2" '.instances.value[$n][$f]' <<<"$outputs"; }

# remote NAME SCRIPT: runs SCRIPT with bash as root on instance NAME, prints its stdout, returns its exit status.
remote() {
  local name=$1 script=$2
  if [ "$access" = ssh ]; then
    ssh -o StrictHostKeyChecking=accept-new -o ConnectTimeout=10 "ec2-user@$(instance "$name" public_ip)" \
      sudo bash -s <<<"$script"
    return
  fi
  local id cmd status
  id=$(instance "$name" id)
  cmd=$(aws ssm send-command --region "$region" --instance-ids "$id" --document-name AWS-RunShellScript \
      --parameters "$(jq -n --arg s "$script" '{commands: [$s], executionTimeout: ["3600"]}')" \
      --query Command.CommandId --output text)
  while :; do
    status=$(aws ssm get-command-invocation --region "$region" --command-id "$cmd" --instance-id "$id" \
        --query Status --output text 2>/dev/null || echo Pending)
    case "$status" in
      Pending|InProgress|Delayed) sleep 2 ;;
      *) break ;;
    esac
  done
  aws ssm get-command-invocation --region "$region" --command-id "$cmd" --instance-id "$id" \
      --query StandardOutputContent --output text
  [ "$status" = Success ]
}

# role NODE: the node's role as its /health says, asked from the client instance (inside the VPC).
role() {
  remote client "curl -s --max-time 2 http://$(instance "$1" private_ip):8480/health | jq -r .role || echo unreachable"
}

log "cluster in $region, JDBC URL $jdbc_url; reports into $out"
remote client "command -v jq >/dev/null || dnf install -y jq >/dev/null" >/dev/null
active="" standby=""
for n in n1 n2; do
  r=$(role "$n")
  log "$n is $r"
  case "$r" in ACTIVE) active=$n ;; STANDBY) standby=$n ;; esac
done
[ -n "$active" ] && [ -n "$standby" ] || { log "need one ACTIVE and one STANDBY node"; exit 1; }

cacdb=/opt/cacdb/bin/cacdb
work=/var/tmp/cacdb-experiment
if [ "$skip_load" = 0 ]; then
  log "loading $warehouses warehouses"
  remote client "$cacdb tpcc load --url '$jdbc_url' --warehouses $warehouses --progress-seconds 30" \
    | tee "$out/load.log" >/dev/null
fi

log "running $terminals terminals for $seconds s; killing $active ($kill) after $kill_after s"
remote client "rm -rf $work && mkdir -p $work && cd $work && nohup $cacdb tpcc run --url '$jdbc_url' \
  --terminals $terminals --seconds $seconds --warmup-seconds 0 --out $work/report > $work/run.log 2>&1 &
echo \$! > $work/run.pid" >/dev/null
sleep "$kill_after"

kill_ms=$(date +%s%3N)
if [ "$kill" = kill9 ]; then
  remote "$active" 'pid=$(systemctl show -p MainPID --value cacdb-node); echo "kill -9 $pid"; kill -9 "$pid"' \
    | tee -a "$out/experiment.log"
else
  aws ec2 stop-instances --region "$region" --force --instance-ids "$(instance "$active" id)" >/dev/null
fi
log "killed $active at $kill_ms ms"

takeover_seen_ms=""
for _ in $(seq 1 120); do
  if [ "$(role "$standby")" = ACTIVE ]; then takeover_seen_ms=$(date +%s%3N); break; fi
  sleep 1
done
if [ -n "$takeover_seen_ms" ]; then
  log "$standby is ACTIVE, seen $(( takeover_seen_ms - kill_ms )) ms after the kill (polling over $access: coarse)"
else
  log "$standby did not become ACTIVE within 120 s"
fi

log "waiting for the TPC-C run to end"
remote client "while kill -0 \$(cat $work/run.pid) 2>/dev/null; do sleep 5; done; cat $work/run.log | tail -n 5" \
  | tee -a "$out/experiment.log" >/dev/null

log "collecting reports"
for n in n1 n2; do
  remote client "curl -s --max-time 2 http://$(instance "$n" private_ip):8480/health" > "$out/$n-health.json" || true
done
if [ "$kill" = kill9 ]; then
  for n in n1 n2; do
    remote "$n" "journalctl -u cacdb-node --no-pager -n 300" > "$out/$n-journal.log" || true
  done
fi
if [ "$access" = ssh ]; then
  scp -o StrictHostKeyChecking=accept-new -r "ec2-user@$(instance client public_ip):$work/report" "$out/" >/dev/null
  scp -o StrictHostKeyChecking=accept-new "ec2-user@$(instance client public_ip):$work/run.log" "$out/" >/dev/null
else
  # The instance profile may write under backups/ only: reports travel through there.
  prefix="backups/experiments/$(basename "$out")"
  remote client "aws s3 cp --recursive --quiet $work/report s3://$bucket/$prefix/report && \
    aws s3 cp --quiet $work/run.log s3://$bucket/$prefix/run.log" >/dev/null
  aws s3 cp --recursive --quiet "s3://$bucket/$prefix/" "$out/"
fi

jq -n --arg killed "$active" --arg new_active "$standby" --arg method "$kill" --argjson kill_ms "$kill_ms" \
  --arg seen "${takeover_seen_ms:-}" --argjson warehouses "$warehouses" --argjson terminals "$terminals" \
  --argjson seconds "$seconds" --argjson kill_after "$kill_after" --arg access "$access" \
  --slurpfile health "$out/$standby-health.json" \
  '{killed: $killed, new_active: $new_active, method: $method, access: $access, kill_epoch_ms: $kill_ms,
    takeover_seen_after_ms: (if $seen == "" then null else ($seen | tonumber) - $kill_ms end),
    takeover_millis_reported: ($health[0].takeover_millis // null), takeover_mode: ($health[0].takeover_mode // null),
    tpcc: {warehouses: $warehouses, terminals: $terminals, seconds: $seconds, kill_after_seconds: $kill_after}}' \
  > "$out/experiment.json" || log "could not summarise (see the files in $out)"
log "done: $out/experiment.json, $out/report/summary.json"

if [ "$kill" = stop-instance ]; then
  log "starting $active's instance again (it rejoins as the standby)"
  aws ec2 start-instances --region "$region" --instance-ids "$(instance "$active" id)" >/dev/null
fi
if [ "$destroy" = 1 ]; then
  log "tearing down: terraform destroy"
  terraform -chdir="$tf_dir" destroy -auto-approve -input=false
fi
