<?xml version="1.0" encoding="UTF-8"?>
<!--
  kvmlint -f junit: the findings XML (schemas/findings.rng) as a JUnit report.
  One <testsuite> per input file and one <testcase> per file and rule of the
  catalogue: a rule with findings there fails (input errors are <error>s),
  a rule whose findings are all suppressed, or that did not run because the
  file holds no KVM/QEMU domain, is skipped, and every other rule passes.
  No timestamps or durations, so the report of an unchanged tree is
  unchanged.  Embedded into the binary at build time.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>

  <xsl:variable name="rules" select="/kvmlint-findings/rules/rule"/>
  <xsl:variable name="input-rules" select="$rules[@category = 'input']"/>

  <!-- the first unsuppressed finding of each (file, rule), for counting -->
  <xsl:key name="active" match="finding[not(@suppressed)]"
           use="concat(generate-id(..), ' ', @rule)"/>

  <xsl:template match="/kvmlint-findings">
    <xsl:variable name="firsts"
        select="file/finding[not(@suppressed)]
                [generate-id() = generate-id(key('active', concat(generate-id(..), ' ', @rule))[1])]"/>
    <testsuites name="kvmlint"
                tests="{count(file[not(@error)]) * count($rules) + count(file[@error])}"
                failures="{count($firsts[not(@input-error)])}"
                errors="{count($firsts[@input-error]) + count(file[@error])}">
      <xsl:apply-templates select="file"/>
    </testsuites>
  </xsl:template>

  <!-- a path that could not be read: one test case that errs -->
  <xsl:template match="file[@error]">
    <testsuite name="{@path}" tests="1" failures="0" errors="1" skipped="0">
      <testcase name="read" classname="{@path}">
        <error type="error" message="{@error}"><xsl:value-of select="concat(@path, ': ', @error)"/></error>
      </testcase>
    </testsuite>
  </xsl:template>

  <xsl:template match="file">
    <xsl:variable name="file" select="."/>
    <xsl:variable name="active" select="finding[not(@suppressed)]"/>
    <xsl:variable name="failing" select="$rules[@id = $active[not(@input-error)]/@rule]"/>
    <xsl:variable name="erring" select="$rules[@id = $active[@input-error]/@rule]"/>
    <xsl:variable name="suppressed"
        select="$rules[@id = $file/finding/@rule][not(@id = $active/@rule)]"/>
    <xsl:variable name="unchecked"
        select="$rules[not(@id = $file/finding/@rule)][not(@category = 'input')]"/>
    <testsuite name="{@path}" tests="{count($rules)}"
               failures="{count($failing[not(@id = $erring/@id)])}"
               errors="{count($erring)}">
      <xsl:attribute name="skipped">
        <xsl:choose>
          <xsl:when test="@checked = 'true'"><xsl:value-of select="count($suppressed)"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="count($suppressed) + count($unchecked)"/></xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <xsl:if test="@domain">
        <properties>
          <property name="domain" value="{@domain}"/>
        </properties>
      </xsl:if>
      <xsl:for-each select="$rules">
        <xsl:call-template name="testcase">
          <xsl:with-param name="file" select="$file"/>
          <xsl:with-param name="rule" select="."/>
        </xsl:call-template>
      </xsl:for-each>
    </testsuite>
  </xsl:template>

  <xsl:template name="testcase">
    <xsl:param name="file"/>
    <xsl:param name="rule"/>
    <xsl:variable name="mine" select="$file/finding[@rule = $rule/@id]"/>
    <xsl:variable name="active" select="$mine[not(@suppressed)]"/>
    <testcase name="{$rule/@id}">
      <xsl:attribute name="classname">
        <xsl:choose>
          <xsl:when test="$file/@domain"><xsl:value-of select="$file/@domain"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="$file/@path"/></xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <xsl:choose>
        <xsl:when test="$active[@input-error]">
          <error type="{$active[1]/@severity}" message="{$active[1]/message}">
            <xsl:apply-templates select="$active" mode="text"/>
          </error>
        </xsl:when>
        <xsl:when test="$active">
          <failure type="{$active[1]/@severity}" message="{$active[1]/message}">
            <xsl:apply-templates select="$active" mode="text"/>
          </failure>
        </xsl:when>
        <xsl:when test="$mine">
          <skipped>
            <xsl:attribute name="message">
              <xsl:value-of select="concat('suppressed (', $mine[1]/@suppressed, ')')"/>
              <xsl:if test="$mine[1]/suppression-reason">
                <xsl:value-of select="concat(': ', $mine[1]/suppression-reason)"/>
              </xsl:if>
            </xsl:attribute>
          </skipped>
        </xsl:when>
        <xsl:when test="$file/@checked != 'true' and $rule/@category != 'input'">
          <skipped message="not checked: the file holds no KVM or QEMU domain"/>
        </xsl:when>
      </xsl:choose>
    </testcase>
  </xsl:template>

  <!-- one finding as the text output writes it -->
  <xsl:template match="finding" mode="text">
    <xsl:value-of select="../@path"/>
    <xsl:if test="@line != 0">:<xsl:value-of select="@line"/></xsl:if>
    <xsl:if test="@line != 0 and @column != 0">:<xsl:value-of select="@column"/></xsl:if>
    <xsl:value-of select="concat(': ', @severity, ': ', message, ' [', @rule, ']')"/>
    <xsl:text>&#10;</xsl:text>
    <xsl:if test="hint">
      <xsl:value-of select="concat('  hint: ', hint)"/>
      <xsl:text>&#10;</xsl:text>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
