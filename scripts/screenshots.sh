#!/usr/bin/env bash
# Regenerates the screenshots in docs/screenshots/ from the demo (offscreen), the ones the
# README and docs show. Run after any UI change:  scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
export CLERK_HOME="${CLERK_HOME:-$PWD/demo-data}"
out=docs/screenshots
mkdir -p "$out"
shot() {  # name, then clerk demo options; a second try when the first did not shoot
  local name=$1; shift
  .venv/bin/clerk demo --screenshot "$out/$name.png" --exit-after 30 "$@" ||
    .venv/bin/clerk demo --screenshot "$out/$name.png" --exit-after 30 "$@"
  echo "  $out/$name.png"
}
shot scan-en          --view scan     --lang en    --layout desktop
shot scan-zh          --view scan     --lang zh_CN --layout desktop
shot search-en        --view search   --lang en    --layout desktop
shot search-zh        --view search   --lang zh_CN --layout desktop
shot search-handheld-en --view search --lang en    --layout handheld
shot search-handheld-zh --view search --lang zh_CN --layout handheld
shot customer-en      --view customer --lang en    --layout desktop
shot customer-zh      --view customer --lang zh_CN --layout desktop
shot handheld-zh      --view customer --lang zh_CN --layout handheld
shot handheld-en      --view customer --lang en    --layout handheld
shot redeem-en        --view redeem   --lang en    --layout desktop
shot redeem-zh        --view redeem   --lang zh_CN --layout desktop
shot sale-en          --view sale_form --lang en    --layout desktop
shot sale-zh          --view sale_form --lang zh_CN --layout desktop
shot sale-handheld-en --view sale_form --lang en    --layout handheld
shot sale-handheld-zh --view sale_form --lang zh_CN --layout handheld
shot signup-en         --view signup_form    --lang en    --layout desktop
shot signup-zh         --view signup_form    --lang zh_CN --layout desktop
shot signup-handheld-en --view signup_form   --lang en    --layout handheld
shot signup-handheld-zh --view signup_form   --lang zh_CN --layout handheld
shot signed-up-en      --view signed_up --lang en    --layout desktop
shot signed-up-zh      --view signed_up --lang zh_CN --layout desktop
shot signed-up-handheld-en --view signed_up --lang en --layout handheld
shot signed-up-handheld-zh --view signed_up --lang zh_CN --layout handheld
shot link-en           --view link_form --lang en    --layout desktop
shot link-zh           --view link_form --lang zh_CN --layout desktop
shot link-handheld-en  --view link_form --lang en    --layout handheld
shot link-handheld-zh  --view link_form --lang zh_CN --layout handheld
shot task-en          --view task_form --lang en    --layout desktop
shot task-zh          --view task_form --lang zh_CN --layout desktop
shot task-handheld-en --view task_form --lang en    --layout handheld
shot task-handheld-zh --view task_form --lang zh_CN --layout handheld
shot clientbook-en     --view clientbook --lang en    --layout desktop
shot clientbook-zh     --view clientbook --lang zh_CN --layout desktop
shot clientbook-handheld-en --view clientbook --lang en    --layout handheld
shot clientbook-handheld-zh --view clientbook --lang zh_CN --layout handheld
shot followups-en      --view followups --lang en    --layout desktop
shot followups-zh      --view followups --lang zh_CN --layout desktop
shot followups-handheld-en --view followups --lang en    --layout handheld
shot followups-handheld-zh --view followups --lang zh_CN --layout handheld
shot message-en        --view message --lang en    --layout desktop
shot message-zh        --view message --lang zh_CN --layout desktop
shot message-handheld-en --view message --lang en    --layout handheld
shot message-handheld-zh --view message --lang zh_CN --layout handheld
shot offline-en       --view offline  --lang en    --layout desktop
shot offline-zh       --view offline  --lang zh_CN --layout desktop
shot signin-zh         --view signin    --lang zh_CN --layout desktop
shot signin-en         --view signin    --lang en    --layout desktop
shot dashboard-en      --view dashboard --lang en    --layout desktop
shot dashboard-zh      --view dashboard --lang zh_CN --layout desktop
shot settings-en       --view settings  --lang en    --layout desktop
shot rejected-en       --view rejected  --lang en    --layout desktop
shot rejected-zh       --view rejected  --lang zh_CN --layout desktop
shot rejected-handheld-en --view rejected --lang en  --layout handheld
shot rejected-handheld-zh --view rejected --lang zh_CN --layout handheld
shot fix-en            --view fix       --lang en    --layout desktop
shot fix-zh            --view fix       --lang zh_CN --layout desktop
shot fix-handheld-en   --view fix       --lang en    --layout handheld
shot fix-handheld-zh   --view fix       --lang zh_CN --layout handheld
