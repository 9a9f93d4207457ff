# Build the Windows installer on a Windows runner (.github/workflows/windows.yml):
# the PyInstaller bundle and its self-test, the MSI around it with WiX 3, signing when a
# certificate is given, then a silent install into Program Files, the installed app's
# self-test, an upgrade over itself, and a silent uninstall that must keep the user's
# workspace.
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
#
# Needs Python 3.11 and WiX Toolset 3 (candle.exe, light.exe on PATH; `choco install
# wixtoolset` on GitHub's runners). Signing: set CERT_PFX (path to a .pfx) and
# CERT_PASSWORD; signtool.exe comes with the Windows SDK.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

python -m venv .venv
.\.venv\Scripts\python -m pip install --quiet --upgrade pip
.\.venv\Scripts\python -m pip install --quiet -r requirements-dev.txt -r packaging\requirements-build.txt

# The bundle (dist\AccountRadar) and its self-test.
.\.venv\Scripts\python packaging\build.py
if ($LASTEXITCODE -ne 0) { throw "the bundle or its self-test failed" }

# The MSI around it (WiX 3: candle + light), then its tables checked as on Linux.
.\.venv\Scripts\python packaging\windows\build_msi.py --payload dist\AccountRadar --tool wix3
if ($LASTEXITCODE -ne 0) { throw "the MSI did not build" }
$msi = Get-ChildItem dist\installers\AccountRadar-*.msi | Where-Object { $_.Name -notlike "*standin*" } | Select-Object -First 1

if ($env:CERT_PFX) {
    signtool sign /f $env:CERT_PFX /p $env:CERT_PASSWORD /fd SHA256 `
        /tr http://timestamp.digicert.com /td SHA256 /d "Account Radar" $msi.FullName
    if ($LASTEXITCODE -ne 0) { throw "signing failed" }
    signtool verify /pa $msi.FullName
} else {
    Write-Host "not signed: CERT_PFX not set"
}

# Install as IT would, with an organisation default and a lock.
$log = Join-Path $env:RUNNER_TEMP "install.log"
Start-Process msiexec.exe -Wait -ArgumentList @(
    "/i", $msi.FullName, "/qn", "/l*v", $log,
    "LLM_BASE_URL=http://llm.corp.example:8080/v1", "PRIVACY_FIELDS=first_name,tier",
    "LOCK_SETTINGS=llm.base_url")
$exe = Join-Path $env:ProgramFiles "Account Radar\AccountRadar.exe"
if (-not (Test-Path $exe)) { Get-Content $log -Tail 50; throw "not installed" }
$env:QT_QPA_PLATFORM = "offscreen"
& $exe --self-test
if ($LASTEXITCODE -ne 0) { throw "the installed app's self-test failed" }
$shown = & $exe config show --sources | Out-String
if ($shown -notmatch 'llm\.base_url\s+"http://llm\.corp\.example:8080/v1"\s+\[locked') {
    Write-Host $shown; throw "the MSI's locked base URL is not honoured"
}
# A workspace of the user's own, which uninstalling must keep.
& $exe demo --customers 60
$workspace = Join-Path $env:LOCALAPPDATA "AccountRadar\default.radar.sqlite"
if (-not (Test-Path $workspace)) { throw "no workspace was made at $workspace" }

# Upgrade in place: the same bundle as the next patch version installs over it, keeps
# what IT set (read back from the registry), and leaves one product installed.
$parts = (.\.venv\Scripts\python -c "import sys; sys.path.insert(0, 'packaging/windows'); import build_msi; print(build_msi.msi_version())").Split(".")
$next = "$($parts[0]).$($parts[1]).$([int]$parts[2] + 1)"
.\.venv\Scripts\python packaging\windows\build_msi.py --payload dist\AccountRadar --tool wix3 --version $next --out dist\upgrade-test
$newer = Get-ChildItem dist\upgrade-test\AccountRadar-$next.msi
Start-Process msiexec.exe -Wait -ArgumentList @("/i", $newer.FullName, "/qn")
$products = Get-CimInstance Win32_Product | Where-Object { $_.Name -eq "Account Radar" }
if (@($products).Count -ne 1 -or $products.Version -ne $next) { throw "the upgrade did not replace $($msi.Name)" }
$shown = & $exe config show --sources | Out-String
if ($shown -notmatch 'llm\.base_url\s+"http://llm\.corp\.example:8080/v1"\s+\[locked') { throw "the upgrade lost the policy" }
# A downgrade is refused (Windows Installer exit 1603: the launch condition).
$down = Start-Process msiexec.exe -Wait -PassThru -ArgumentList @("/i", $msi.FullName, "/qn")
if ($down.ExitCode -eq 0) { throw "an older version installed over a newer one" }

Start-Process msiexec.exe -Wait -ArgumentList @("/x", $newer.FullName, "/qn")
if (Test-Path $exe) { throw "uninstall left the program behind" }
if (-not (Test-Path $workspace)) { throw "uninstall removed the user's workspace" }
if (Test-Path "HKLM:\Software\Policies\AccountRadar\Defaults") {
    $left = Get-ItemProperty "HKLM:\Software\Policies\AccountRadar\Defaults"
    if ($left."llm.base_url") { throw "uninstall left the MSI's policy values behind" }
}
Write-Host "Windows installer: ok ($($msi.Name), upgrade to $next, downgrade refused)"
