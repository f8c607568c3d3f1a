<#
.SYNOPSIS
Builds the Windows MSI with the official WiX Toolset v3 (candle + light).

.DESCRIPTION
The release build, on a Windows machine or CI runner, from the same inputs as
build-msi.sh (which uses msitools' wixl on Linux):

  - signer-app.wxs, compiled with Toolset=wix, so that the Component and
    launch conditions and RegistryKey/@Action that wixl cannot read are
    compiled natively (build-msi.sh adds the same rows with msibuild);
  - bundle.wxs, written by msi_tool.py harvest from the staged bundle (the
    same identifiers and component GUIDs as the wixl build);
  - the ProductCode and PackageCode from msi_tool.py (derived from the
    version and the inputs, as in the wixl build).

The tables are meant to be the same as the wixl build's, except what the two
linkers generate themselves: WiX adds short file names ("HIZMET~1|Hizmet
Aktivasyon"), its own Registry row identifiers and validation tables. Not
byte-identical: light stamps the summary information with the build time.

Not run by the project's CI (it needs Windows and WiX v3.11+ on the PATH or
in %WIX%\bin); the Linux build and its Wine tests are in
tests/installers/test_msi.py.

.EXAMPLE
powershell -File installers\windows\build-msi.ps1 -Bundle dist\signer-app -Out dist\signer-app.msi
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $Bundle,
    [Parameter(Mandatory = $true)] [string] $Out,
    # Default: the version in pyproject.toml.
    [string] $Version = "",
    [string] $Icon = (Join-Path $PSScriptRoot "..\icons\signer-app.ico"),
    [string] $DocumentIcon = (Join-Path $PSScriptRoot "..\icons\signer-app-document.ico"),
    # The Python that runs msi_tool.py (standard library only; 3.8 or later).
    [string] $Python = "python"
)

Set-StrictMode -Version Latest
$ErrorActionPreference = "Stop"

function Invoke-Tool {
    param([string] $Tool, [string[]] $Arguments)
    & $Tool @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Tool exited with $LASTEXITCODE" }
}

function Find-WixTool {
    param([string] $Name)
    $command = Get-Command $Name -ErrorAction SilentlyContinue
    if ($command) { return $command.Source }
    # The WiX v3 installer sets %WIX% to its folder.
    if ($env:WIX) {
        $candidate = Join-Path $env:WIX "bin\$Name"
        if (Test-Path $candidate) { return $candidate }
    }
    throw "$Name not found: install the WiX Toolset v3 (it sets %WIX%) or put its bin folder on the PATH"
}

$repo = Resolve-Path (Join-Path $PSScriptRoot "..\..")
$tool = Join-Path $PSScriptRoot "msi_tool.py"
$wxs = Join-Path $PSScriptRoot "signer-app.wxs"

if (-not $Version) {
    $line = Select-String -Path (Join-Path $repo "pyproject.toml") -Pattern '^version = "(.*)"$' | Select-Object -First 1
    if (-not $line) { throw "no version in pyproject.toml: give -Version" }
    $Version = $line.Matches[0].Groups[1].Value
}
$Bundle = (Resolve-Path $Bundle).Path
if (-not (Test-Path (Join-Path $Bundle "signer-app.exe"))) { throw "$Bundle\signer-app.exe is missing: not a staged bundle" }
$Icon = (Resolve-Path $Icon).Path
$DocumentIcon = (Resolve-Path $DocumentIcon).Path
$candle = Find-WixTool "candle.exe"
$light = Find-WixTool "light.exe"

$work = Join-Path ([System.IO.Path]::GetTempPath()) ([System.Guid]::NewGuid().ToString())
New-Item -ItemType Directory -Path $work | Out-Null
try {
    Invoke-Tool $Python @($tool, "harvest", $Bundle, (Join-Path $work "bundle.wxs"))
    $productCode = (& $Python $tool product-code $Version).Trim()
    if ($LASTEXITCODE -ne 0) { throw "msi_tool.py product-code failed" }
    # The same inputs as build-msi.sh's package-code call, so the same
    # PackageCode for the same bytes (a checkout that turned the .wxs's line
    # endings into CRLF gives another one).
    Copy-Item $Icon (Join-Path $work "signer-app.ico")
    Copy-Item $DocumentIcon (Join-Path $work "signer-app-document.ico")
    Copy-Item $wxs (Join-Path $work "signer-app.wxs")
    $stagedBundle = Join-Path $work "bundle"
    Copy-Item -Recurse $Bundle $stagedBundle
    $packageCode = (& $Python $tool package-code $Version (Join-Path $work "signer-app.wxs") (Join-Path $work "signer-app.ico") (Join-Path $work "signer-app-document.ico") $stagedBundle).Trim()
    if ($LASTEXITCODE -ne 0) { throw "msi_tool.py package-code failed" }

    Invoke-Tool $candle @(
        "-nologo", "-arch", "x64",
        "-dToolset=wix",
        "-dVersion=$Version",
        "-dProductCode=$productCode",
        "-dPackageCode=$packageCode",
        "-dBundleDir=$stagedBundle",
        "-dIconFile=$(Join-Path $work 'signer-app.ico')",
        "-dDocumentIconFile=$(Join-Path $work 'signer-app-document.ico')",
        "-out", "$work\",
        (Join-Path $work "signer-app.wxs"), (Join-Path $work "bundle.wxs")
    )
    # ICE38/ICE43/ICE57 expect HKCU key paths for components in the Start
    # menu and desktop folders; with ALLUSERS=1 those are the all-users
    # folders, and a per-machine component must not depend on the
    # installing administrator's HKCU.
    Invoke-Tool $light @(
        "-nologo", "-spdb",
        "-sice:ICE38", "-sice:ICE43", "-sice:ICE57",
        "-out", $Out,
        (Join-Path $work "signer-app.wixobj"), (Join-Path $work "bundle.wixobj")
    )
    Write-Host "built $Out (version $Version, ProductCode $productCode)"
}
finally {
    Remove-Item -Recurse -Force $work
}
