; Inno Setup 6 script: the Windows installer for Omni Clerk (x64).
; NOT built or tested in this project's CI (Linux only) — see docs/install.md, "Windows".
;
; Build on Windows after the PyInstaller bundle (packaging\omni-clerk-windows.spec):
;     "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" packaging\omni-clerk.iss
;     (optional: /DAppVersion=0.2.0)
; Output: dist\omni-clerk-windows-x64-setup.exe
;
; Installs per user (no admin) by default, or for all users if the installer is elevated.
; Upgrades replace the program folder; the data directory (%LOCALAPPDATA%\omni-clerk, with
; outbox.db — records not yet synced) is never touched by install, upgrade or uninstall.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Omni Clerk"
#define AppExe "omni-clerk.exe"

[Setup]
AppId={{6C1B7E0A-3F3D-4E7A-9E43-0D5C2A8B1F17}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Omni Clerk
DefaultDirName={autopf}\Omni Clerk
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename=omni-clerk-windows-x64-setup
SetupIconFile=..\build\windows\omni-clerk.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
; Chinese (Simplified) is an unofficial Inno Setup translation: download
; ChineseSimplified.isl into Inno Setup's Languages folder, then uncomment:
; Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade must not leave modules of the previous version behind.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\omni-clerk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autoprograms}\{#AppName} doctor"; Filename: "{cmd}"; Parameters: "/k ""{app}\omni-clerk-cli.exe"" doctor"; IconFilename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
